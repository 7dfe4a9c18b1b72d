from fengqiao.text import normalize, segment
from fengqiao.text.segment import Segmenter


def test_traditional_to_simplified():
    assert normalize("這個問題還沒有解決") == "这个问题还没有解决"


def test_full_width_to_half_width_and_whitespace():
    assert normalize("\n\t\t\t\t\t\n\t\t\tＡＢＣ　１２３！\n\t\t 物业 ") == "ABC 123! 物业"


def test_simplified_text_untouched_and_empty():
    assert normalize("覆盖了俱乐部，什么都有") == "覆盖了俱乐部,什么都有"
    assert normalize(None) == ""
    assert normalize("   ") == ""


def test_segment_drops_stopwords_punctuation_and_digits():
    toks = segment("您好！我们小区的物业公司乱收停车费，2019年已经反映3次了。")
    assert "物业公司" in toks or "物业" in toks
    assert "停车费" in toks
    for junk in ("您好", "我们", "的", "！", "，", "2019", "3", "。"):
        assert junk not in toks


def test_extra_words_stay_whole():
    s = Segmenter(extra_words=["青石板巷", "柳溪湾小区"])
    toks = s("柳溪湾小区旁边的青石板巷路灯不亮")
    assert "柳溪湾小区" in toks
    assert "青石板巷" in toks


def test_traditional_input_segments_like_simplified():
    assert segment("小區物業亂收費") == segment("小区物业乱收费")
