SITE_NAME = "枫桥 · 矛盾纠纷多元化解平台"


def site(request):
    return {"site_name": SITE_NAME}
