def site(request):
    return {"site_name": "枫桥 · 矛盾纠纷多元化解平台"}
