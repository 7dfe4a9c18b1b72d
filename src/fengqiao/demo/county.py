"""The fictional county of the demo: 云州市青溪县, its towns, villages, grids and units.

Every name here is invented for the demo; the region codes start with 99, a prefix no real
Chinese region uses.
"""

CITY = ("9902", "云州市")
COUNTY = ("990201", "青溪县")

# (slug for user names, name, kind, [villages or communities])
TOWNS = [
    ("chengguan", "城关街道", "street", ["文昌社区", "北门社区", "河滨社区", "新华社区", "锦绣社区", "丰乐社区"]),
    ("qingshan", "青山街道", "street", ["青山社区", "翠园社区", "望江社区", "东湖社区", "花溪社区"]),
    ("linxi", "临溪镇", "town", ["柳塘村", "临溪社区", "杨柳湾村", "石桥村", "大埠村", "荷塘村", "枫林村"]),
    ("shimen", "石门镇", "town", ["石门村", "观音岩村", "长冲村", "竹园村", "高坪村", "石门社区"]),
    ("taoyuan", "桃源镇", "town", ["桃源村", "桃花溪村", "落霞村", "茶园村", "新屋村", "桃源社区", "梅子坳村"]),
    ("baisha", "白沙镇", "town", ["白沙村", "沙洲村", "渡口村", "金塘村", "白沙社区"]),
    ("longtan", "龙潭乡", "town", ["龙潭村", "龙井村", "黄泥坡村", "上寨村", "下寨村", "龙潭社区", "青龙村", "水口村"]),
    ("baishu", "柏树镇", "town", ["柏树村", "松林村", "凤凰村", "双塘村", "柏树社区", "岭下村"]),
    ("shuanghe", "双河镇", "town", ["双河村", "合水村", "河口村", "新桥村", "双河社区", "团结村"]),
]

GRID_NAMES = ["第一网格", "第二网格", "第三网格", "第四网格"]

# County units: key → (name, kind). The key doubles as the user name of the unit's handler.
COUNTY_DEPARTMENTS = {
    "xinfang": ("青溪县信访局", "petition"),
    "zhujian": ("青溪县住房和城乡建设局", "functional"),
    "ziran": ("青溪县自然资源局", "functional"),
    "shengtai": ("云州市生态环境局青溪分局", "functional"),
    "jiaotong": ("青溪县交通运输局", "functional"),
    "jiaoyu": ("青溪县教育局", "functional"),
    "weijian": ("青溪县卫生健康局", "functional"),
    "renshe": ("青溪县人力资源和社会保障局", "functional"),
    "shichang": ("青溪县市场监督管理局", "functional"),
    "gongan": ("青溪县公安局", "judicial"),
    "minzheng": ("青溪县民政局", "functional"),
    "nongye": ("青溪县农业农村局", "functional"),
    "zhifa": ("青溪县综合行政执法局", "functional"),
    "shuili": ("青溪县水利局", "functional"),
    "sifa": ("青溪县司法局", "judicial"),
}

# Places and people the case texts mention (all invented).
ESTATES = ["锦江花园", "翠湖名苑", "阳光新城", "滨江一号", "桂花苑", "青溪华府", "东方明珠小区", "金色家园", "和平里小区", "书香门第"]
ROADS = ["人民路", "解放路", "青溪大道", "滨河路", "建设街", "文化路", "环城南路", "新华街", "S218省道", "县道X031"]
COMPANIES = ["青溪宏达建材有限公司", "云州顺发物流公司", "青溪县金牛养殖场", "青溪鑫源机械厂", "青溪县恒通建筑公司",
             "绿源食品加工厂", "青溪华美家具厂", "青溪县安居物业公司", "云州诚信装饰工程公司", "青溪县福满楼酒店"]
SCHOOLS = ["青溪县第一中学", "城关小学", "青溪县实验小学", "临溪镇中心小学", "青山幼儿园", "青溪县第二中学"]
HOSPITALS = ["青溪县人民医院", "青溪县中医院", "临溪镇卫生院", "城关社区卫生服务中心"]
MARKETS = ["城关农贸市场", "青山菜市场", "临溪集贸市场", "白沙街市"]
RIVERS = ["青溪河", "白沙河", "龙潭溪", "双河"]
SHOPS = ["好又多超市", "佳佳乐便利店", "万家福超市", "老街小吃店", "金诚健身会所", "七彩教育培训中心", "美好时光美容院"]

SURNAMES = list("王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文海林春燕晓东德福友生金凤秋菊荣")
# Birth-place prefixes for the fictional ID numbers: codes the national ID check accepts.
ID_PREFIXES = ["110101", "110102", "110105", "110108", "310101", "310104"]
