import json

import openpyxl

from conftest import data_file
from fengqiao.text.cli import bench_main, eval_routing_main, hot_topics_main
from test_routing import EXAMPLES

MORE = [
    ("电梯经常故障困人，物业维修不及时", "城乡建设"),
    ("小区绿化带被业主私自占用种菜", "城乡建设"),
    ("河道里有工厂偷排污水，鱼都死了", "环境保护"),
    ("养猪场臭气熏天，附近村民苦不堪言", "环境保护"),
    ("驾校收费后迟迟不安排科目二考试", "交通运输"),
    ("路口红绿灯时间太短，行人过马路很危险", "交通运输"),
    ("幼儿园收费太高，希望增加普惠性幼儿园", "教育文体"),
    ("中考招生政策不透明，录取分数线没有公布", "教育文体"),
    ("单位不签劳动合同，辞退员工不给经济补偿", "劳动和社会保障"),
    ("城乡居民医保缴费标准是多少，怎么补缴", "劳动和社会保障"),
    ("网购的家电质量问题，商家拒绝退换货", "商贸旅游"),
    ("有人在小区搞传销，拉人入会交钱", "商贸旅游"),
    ("诊所无证行医，给孩子打针出了问题", "卫生计生"),
    ("餐馆后厨卫生很差，吃完食物中毒", "卫生计生"),
]


def _cases_xlsx(path, rows, label_col="一级分类"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["留言编号", "留言主题", "留言详情", label_col])
    for i, (text, lab) in enumerate(rows):
        ws.append([i + 1, text[:10], text, lab])
    wb.save(path)
    return path


def _json_line(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out
    return json.loads(out[0])


def test_eval_routing_taxonomy_only(tmp_path, capsys):
    tax = data_file("taxonomy_3level.xlsx")
    cases = _cases_xlsx(tmp_path / "cases.xlsx", EXAMPLES + MORE)
    code = eval_routing_main(["--taxonomy", str(tax), "--cases", str(cases), "--label-column", "一级分类", "--json"])
    assert code == 0
    res = _json_line(capsys)
    assert res["n"] == len(EXAMPLES + MORE)
    assert res["accuracy"] >= 0.85 and res["macro_f1"] >= 0.85
    assert set(res["per_class"]) == {lab for _, lab in EXAMPLES}
    for v in res["per_class"].values():
        assert {"precision", "recall", "f1", "support"} <= set(v)
    # no label was learned; the cases the table alone is sure of taught their wording
    assert res["mode"] == "taxonomy_only" and res["train_n"] == 0
    assert 0 < res["self_trained_on"] <= res["n"]


def test_eval_routing_table_alone_without_self_training(tmp_path, capsys):
    tax = data_file("taxonomy_3level.xlsx")
    cases = _cases_xlsx(tmp_path / "cases.xlsx", EXAMPLES + MORE)
    code = eval_routing_main(["--taxonomy", str(tax), "--cases", str(cases), "--no-self-train", "--json"])
    assert code == 0
    res = _json_line(capsys)
    assert res["self_trained_on"] == 0 and res["accuracy"] >= 0.85


def test_eval_routing_with_training_share(tmp_path, capsys):
    tax = data_file("taxonomy_3level.xlsx")
    cases = _cases_xlsx(tmp_path / "cases.xlsx", EXAMPLES + MORE)
    code = eval_routing_main(["--taxonomy", str(tax), "--cases", str(cases), "--train-fraction", "0.5",
                              "--seed", "3", "--json"])
    assert code == 0
    res = _json_line(capsys)
    classes = {lab for _, lab in EXAMPLES + MORE}
    assert res["train_n"] + res["n"] == len(EXAMPLES + MORE)
    assert abs(res["train_n"] - res["n"]) <= len(classes)  # half of every class
    assert res["accuracy"] >= 0.7


def test_eval_routing_missing_file(tmp_path, capsys):
    code = eval_routing_main(["--taxonomy", str(tmp_path / "nope.xlsx"), "--cases", str(tmp_path / "c.xlsx"), "--json"])
    assert code == 2
    err = capsys.readouterr().err
    assert "文件不存在" in err and "file not found" in err
    assert "Traceback" not in err


def test_eval_routing_missing_label_column(tmp_path, capsys):
    tax = data_file("taxonomy_3level.xlsx")
    cases = _cases_xlsx(tmp_path / "cases.xlsx", EXAMPLES, label_col="类别")
    code = eval_routing_main(["--taxonomy", str(tax), "--cases", str(cases), "--label-column", "一级分类", "--json"])
    assert code == 2
    err = capsys.readouterr().err
    assert "缺少列" in err and "missing column" in err and "一级分类" in err


def test_eval_routing_not_a_spreadsheet(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    code = eval_routing_main(["--taxonomy", str(bad), "--cases", str(bad)])
    assert code == 2
    assert "无法读取表格" in capsys.readouterr().err


def test_bad_arguments_exit_2(capsys):
    assert eval_routing_main(["--json"]) == 2
    assert "参数错误" in capsys.readouterr().err
    assert bench_main(["--sizes", "ten"]) == 2
    assert hot_topics_main([]) == 2


def test_hot_topics_cli_on_board_export(capsys):
    f = data_file("messages_with_votes.xlsx")
    assert hot_topics_main([str(f), "--top", "5", "--json"]) == 0
    res = _json_line(capsys)
    assert res["n_messages"] > 4000
    topics = res["topics"]
    assert len(topics) == 5
    assert [t["rank"] for t in topics] == [1, 2, 3, 4, 5]
    heats = [t["heat"] for t in topics]
    assert heats == sorted(heats, reverse=True)
    for t in topics:
        assert t["count"] == len(t["ids"]) >= 3
        assert t["name"] and t["keywords"] and t["petitioners"] >= 1
        assert t["start"] <= t["end"]


def test_hot_topics_cli_table_and_mixed_dates(tmp_path, capsys):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"])
    import datetime as dt
    times = ["2023/3/1 11:25:05", "2023-03-02 11:25", dt.datetime(2023, 3, 3, 9, 0), "2023/3/4"]
    for i, t in enumerate(times):
        ws.append([100 + i, f"u{i}", "柳溪湾小区沥青搅拌站噪音扰民", t, "柳溪湾小区旁的沥青搅拌站日夜噪音粉尘", 0, i])
    ws.append([200, "u9", "咨询公积金贷款", "2023/3/5", "请问公积金贷款额度", 0, 0])
    p = tmp_path / "board.xlsx"
    wb.save(p)
    assert hot_topics_main([str(p), "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "热点问题" in out and "柳溪湾" in out
    assert "2023-03-01~2023-03-04" in out


def test_bench_tiny(capsys):
    assert bench_main(["--sizes", "300,1000", "--queries", "10", "--classifications", "10",
                       "--decisions", "30", "--json"]) == 0
    res = _json_line(capsys)
    assert res["classify_per_s"] > 0
    assert res["classify_p50_ms"] <= res["classify_p99_ms"]
    assert res["learn_decisions"] == 30 and res["classify_learned_per_s"] > 0
    assert res["classify_learned_p50_ms"] <= res["classify_learned_p99_ms"]
    assert set(res["similar"]) == {"300", "1000"}
    for v in res["similar"].values():
        assert v["query_p50_ms"] > 0 and v["build_s"] >= 0
    assert res["peak_rss_mb"] > 0


def test_bench_times_classification_on_board_messages(capsys):
    """Latency is measured on real messages when a board export is given."""
    assert bench_main(["--sizes", "300", "--queries", "5", "--classifications", "20", "--decisions", "40",
                       "--cases", str(data_file("messages_with_replies.xlsx")),
                       "--taxonomy", str(data_file("taxonomy_3level.xlsx")), "--json"]) == 0
    res = _json_line(capsys)
    assert res["classify_texts"] == "board"
    assert res["classify_mean_chars"] > 150  # real messages, longer than the synthetic ones
    assert res["learn_decisions"] == 40
    assert 0 < res["classify_p50_ms"] <= res["classify_p99_ms"]


def test_bench_refuses_an_export_without_messages(tmp_path, capsys):
    p = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["编号", "内容"])
    wb.active.append([1, "x"])
    wb.save(p)
    assert bench_main(["--sizes", "300", "--cases", str(p)]) == 2
    err = capsys.readouterr().err
    assert "缺少列" in err and "missing column" in err
