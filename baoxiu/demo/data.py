"""Fixed data for the demo network. Everything here is invented for the demo.

The brand, organisation, staff, technicians and customers are fictional. The
phone numbers and web addresses are placeholders chosen not to belong to
anyone (see the comments at each); a real deployment enters its own.

The service areas are a hand-picked subset of the network's announced
coverage (``data/service-areas-seed.txt`` in the shared project material):
thirty districts and towns whose location is unambiguous. The loader must not
read that file at run time (it is not shipped), so the names are copied here.
Coordinates are approximate centres (the district seat, within a few km) from
public geographic knowledge, rounded to 0.01 degree. They are good enough for
distances on a dispatch board, not for navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from baoxiu.accounts.choices import ChannelKind, Role
from baoxiu.catalog.choices import Priority

# Demo-only password shared by every demo login. Printed on the console by
# `baoxiu demo`; never use the demo data in a deployment that faces the internet.
DEMO_PASSWORD = "baoxiu-demo"
DEMO_SEED = 20240611

BRAND = "栖安智锁"
ORGANISATION_NAME = "栖安智锁售后服务中心"
SERVICE_PROMISE = "全国报修，最快30分钟响应，上门服务"

# Official channels. The hotlines sit in the 400-000 block, which (as far as we
# know) is not issued to businesses; the website and WeChat id use the reserved
# ``.example`` domain (RFC 2606) and a "-demo" suffix. All fictional.
CHANNELS: list[tuple[str, str, str]] = [
    (ChannelKind.HOTLINE, "400-000-0101", "24小时服务热线（演示号码）"),
    (ChannelKind.HOTLINE, "400-000-0110", "急修热线（演示号码）"),
    (ChannelKind.WEBSITE, "https://service.qian-lock.example/", "官方报修网站（演示）"),
    (ChannelKind.WECHAT, "qian-lock-service-demo", "微信公众号（演示）"),
]

# (username, role, display name, superuser)
STAFF: list[tuple[str, str, str, bool]] = [
    ("admin", Role.ADMIN, "系统管理员", True),
    ("agent", Role.AGENT, "客服林晓", False),
    ("dispatcher", Role.DISPATCHER, "调度周航", False),
    ("operations", Role.OPERATIONS, "运营经理何静", False),
]

# (code, name)
SKILLS: list[tuple[str, str]] = [
    ("fingerprint", "指纹/人脸模组"),
    ("lock-body", "锁体与电机"),
    ("electrical", "电路与供电"),
    ("app-wifi", "App与Wi-Fi联网"),
    ("installation", "安装调试"),
    ("lock-opening", "应急开锁"),
]

# (code, name, warranty months)
LOCK_MODELS: list[tuple[str, str, int]] = [
    ("qa-x1", "栖安 X1 指纹锁", 24),
    ("qa-x3-pro", "栖安 X3 Pro 人脸识别锁", 36),
    ("qa-s5", "栖安 S5 推拉式智能锁", 24),
    ("qa-s7", "栖安 S7 全自动智能锁", 36),
    ("qa-k2", "栖安 K2 可视猫眼锁", 24),
    ("qa-m1", "栖安 M1 公寓密码锁", 12),
    ("qa-f9", "栖安 F9 指静脉锁", 36),
    ("qa-c3", "栖安 C3 经典把手锁", 24),
]


@dataclass(frozen=True)
class FaultSpec:
    code: str
    name: str
    description: str
    minutes: int
    priority: str
    skills: tuple[str, ...]
    # How customers describe it when they report (picked at random).
    reports: tuple[str, ...]
    # Relative frequency among demo tickets.
    weight: int


FAULT_TYPES: list[FaultSpec] = [
    FaultSpec(
        code="locked-out",
        name="电池耗尽/无法开门",
        description="被锁门外，急需开门",
        minutes=45,
        priority=Priority.EMERGENCY,
        skills=("lock-opening", "electrical"),
        reports=(
            "电池没电了，人在门外进不去",
            "锁没反应，应急电源也打不开，家里有老人",
            "出门忘带钥匙，指纹也不认了",
        ),
        weight=10,
    ),
    FaultSpec(
        code="fingerprint",
        name="指纹无法识别",
        description="指纹识别失败或识别慢",
        minutes=60,
        priority=Priority.NORMAL,
        skills=("fingerprint",),
        reports=(
            "录入的指纹经常识别不了，要按好几次",
            "家里老人的指纹完全识别不了",
            "指纹头有划痕，识别很慢",
        ),
        weight=18,
    ),
    FaultSpec(
        code="forgot-password",
        name="忘记密码",
        description="忘记管理员密码，需重置",
        minutes=30,
        priority=Priority.URGENT,
        skills=("app-wifi",),
        reports=(
            "忘记管理员密码了，没法添加新指纹",
            "租客搬走后密码不知道了",
        ),
        weight=8,
    ),
    FaultSpec(
        code="motor-clutch",
        name="电机/离合故障",
        description="电机空转或离合打滑",
        minutes=90,
        priority=Priority.URGENT,
        skills=("lock-body",),
        reports=(
            "开门时电机一直响但是打不开",
            "反锁后偶尔开不了，有咔咔声",
        ),
        weight=9,
    ),
    FaultSpec(
        code="handle-loose",
        name="把手松动",
        description="把手松动或下垂",
        minutes=30,
        priority=Priority.NORMAL,
        skills=("installation",),
        reports=(
            "把手松了，往下耷拉",
            "外把手转不回原位",
        ),
        weight=8,
    ),
    FaultSpec(
        code="alarm",
        name="报警声不停",
        description="防撬或低电报警持续鸣响",
        minutes=45,
        priority=Priority.URGENT,
        skills=("electrical",),
        reports=(
            "半夜一直报警，关不掉",
            "门锁一直提示低电量报警，换了电池也响",
        ),
        weight=6,
    ),
    FaultSpec(
        code="screen-dark",
        name="屏幕不亮",
        description="触摸屏或显示屏无反应",
        minutes=60,
        priority=Priority.NORMAL,
        skills=("electrical",),
        reports=(
            "密码屏不亮了，按了没反应",
            "猫眼屏幕黑屏",
        ),
        weight=8,
    ),
    FaultSpec(
        code="app-wifi",
        name="App/Wi-Fi绑定失败",
        description="手机App无法绑定或离线",
        minutes=40,
        priority=Priority.NORMAL,
        skills=("app-wifi",),
        reports=(
            "换了路由器以后App显示门锁离线",
            "新手机绑定不上门锁",
        ),
        weight=9,
    ),
    FaultSpec(
        code="lock-body-damage",
        name="锁体/锁芯损坏",
        description="锁体、锁芯或锁舌损坏",
        minutes=120,
        priority=Priority.URGENT,
        skills=("lock-body", "installation"),
        reports=(
            "锁舌缩不回去，门关不上",
            "钥匙插进锁芯转不动",
        ),
        weight=8,
    ),
    FaultSpec(
        code="installation",
        name="安装/换锁",
        description="新锁安装或旧锁更换",
        minutes=120,
        priority=Priority.NORMAL,
        skills=("installation",),
        reports=(
            "新买的锁需要上门安装",
            "旧的机械锁换成智能锁，需要开孔",
        ),
        weight=16,
    ),
]


@dataclass(frozen=True)
class DemoArea:
    name: str  # as announced in the service-area list
    short: str  # used in outlet names
    latitude: float
    longitude: float


AREAS: list[DemoArea] = [
    DemoArea("北京市东城区", "北京东城", 39.93, 116.42),
    DemoArea("北京市房山区", "北京房山", 39.73, 116.14),
    DemoArea("天津市滨海新区", "天津滨海", 39.03, 117.71),
    DemoArea("天津市蓟州区", "天津蓟州", 40.04, 117.41),
    DemoArea("上海市闵行区", "上海闵行", 31.11, 121.38),
    DemoArea("上海市长宁区", "上海长宁", 31.22, 121.42),
    DemoArea("重庆市江北区", "重庆江北", 29.61, 106.57),
    DemoArea("沈阳市沈河区", "沈阳沈河", 41.80, 123.45),
    DemoArea("本溪市南芬区", "本溪南芬", 41.10, 123.75),
    DemoArea("济南市历下区", "济南历下", 36.67, 117.08),
    DemoArea("青岛市市南区", "青岛市南", 36.07, 120.38),
    DemoArea("郑州市二七区", "郑州二七", 34.73, 113.64),
    DemoArea("合肥市蜀山区", "合肥蜀山", 31.85, 117.26),
    DemoArea("南京市江宁区", "南京江宁", 31.95, 118.84),
    DemoArea("苏州市吴中区", "苏州吴中", 31.26, 120.63),
    DemoArea("无锡市梁溪区", "无锡梁溪", 31.57, 120.30),
    DemoArea("杭州市拱墅区", "杭州拱墅", 30.32, 120.14),
    DemoArea("宁波市慈溪市", "宁波慈溪", 30.17, 121.27),
    DemoArea("温州市洞头区", "温州洞头", 27.84, 121.16),
    DemoArea("武汉市东西湖区", "武汉东西湖", 30.62, 114.14),
    DemoArea("长沙市望城区", "长沙望城", 28.35, 112.82),
    DemoArea("南昌市西湖区", "南昌西湖", 28.66, 115.88),
    DemoArea("厦门市思明区", "厦门思明", 24.45, 118.08),
    DemoArea("泉州市丰泽区", "泉州丰泽", 24.89, 118.61),
    DemoArea("广州市增城区", "广州增城", 23.26, 113.81),
    DemoArea("深圳市坪山区", "深圳坪山", 22.69, 114.35),
    DemoArea("东莞市谢岗镇", "东莞谢岗", 22.96, 114.14),
    DemoArea("成都市新都区", "成都新都", 30.82, 104.16),
    DemoArea("昆明市西山区", "昆明西山", 25.04, 102.66),
    DemoArea("三亚市崖州区", "三亚崖州", 18.35, 109.17),
]

# Shifts technicians work (start, end); the network covers 07:00-21:00 on weekdays.
WORKING_HOURS: list[tuple[time, time]] = [
    (time(8, 0), time(17, 0)),
    (time(8, 30), time(18, 30)),
    (time(9, 0), time(21, 0)),
    (time(7, 0), time(19, 0)),
]

# Name parts for generated people. Combined at random, they make names that
# refer to no one in particular.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷"
)
GIVEN_NAMES = (
    "建国",
    "志强",
    "海燕",
    "晓明",
    "玉兰",
    "春梅",
    "国华",
    "丽娟",
    "文静",
    "子涵",
    "浩然",
    "思远",
    "雨萱",
    "俊杰",
    "欣怡",
    "宇航",
    "佳琪",
    "志刚",
    "秀珍",
    "桂芳",
    "明辉",
    "晓东",
    "淑华",
    "红梅",
    "立新",
    "永强",
    "金凤",
    "建华",
    "晓燕",
    "伟",
    "芳",
    "敏",
    "静",
    "磊",
    "军",
    "洋",
    "勇",
    "杰",
    "涛",
    "超",
    "霞",
    "平",
    "刚",
    "鹏",
    "辉",
    "丹",
    "婷",
    "斌",
    "宁",
    "琳",
)

STREETS = (
    "建设路",
    "人民路",
    "幸福路",
    "光明街",
    "和平路",
    "新华路",
    "文化路",
    "朝阳路",
    "青年路",
    "滨河路",
    "振兴街",
    "育才路",
    "团结路",
    "迎宾大道",
    "花园路",
    "工业大道",
)
COMMUNITIES = (
    "锦绣花园",
    "阳光小区",
    "翠湖苑",
    "金色家园",
    "春晓苑",
    "和谐家园",
    "碧水湾",
    "桂花园",
    "紫荆苑",
    "景泰小区",
    "丽景湾",
    "书香门第",
    "长青公寓",
    "明珠花园",
    "御景苑",
    "滨江名邸",
)

# Notes staff type on transitions that need a reason.
CANCEL_NOTES = (
    "客户来电取消：已自行找到备用钥匙",
    "客户表示锁已恢复正常",
    "重复报修，已合并到先前工单",
    "客户改约，暂不需要上门",
)
HOLD_NOTES = (
    "等待配件到货（锁体）",
    "客户临时外出，约定改天上门",
    "需厂家确认保修范围",
    "等待客户提供购买凭证",
)
DECLINE_NOTES = (
    "当前工单未完成，无法按时到达",
    "距离较远，建议改派附近师傅",
    "缺少所需配件",
)
REOPEN_NOTES = (
    "客户回访反映问题复发",
    "回访时客户反映把手仍有松动",
)
