"""A small fictional county built through the models, shared by the tests."""

from dataclasses import dataclass, field

from fengqiao.cases.models import Category
from fengqiao.org.models import Department, Region, ResponsibilityRule, Role, Staff

PASSWORD = "test-pass-123"


@dataclass
class World:
    city: Region
    county: Region
    town: Region
    other_town: Region
    village: Region
    petition_bureau: Department
    housing: Department
    town_gov: Department
    other_town_gov: Department
    category: Category
    staff: dict[str, Staff] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["staff"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    city = Region.objects.create(code="9901", name="云州市", level="city")
    county = Region.objects.create(code="990101", name="青溪县", level="county", parent=city)
    town = Region.objects.create(code="990101001", name="临溪镇", level="town", parent=county)
    other_town = Region.objects.create(code="990101002", name="石门镇", level="town", parent=county)
    village = Region.objects.create(code="990101001001", name="柳塘村", level="village", parent=town)
    bureau = Department.objects.create(name="青溪县信访局", kind="petition", region=county)
    housing = Department.objects.create(name="青溪县住房和城乡建设局", kind="functional", region=county)
    town_gov = Department.objects.create(name="临溪镇人民政府", kind="town", region=town)
    other_gov = Department.objects.create(name="石门镇人民政府", kind="town", region=other_town)
    l1 = Category.objects.create(name="城乡建设", depth=1, path="城乡建设")
    l2 = Category.objects.create(name="物业管理", depth=2, path="城乡建设/物业管理", parent=l1)
    l3 = Category.objects.create(name="物业服务", depth=3, path="城乡建设/物业管理/物业服务", parent=l2)
    ResponsibilityRule.objects.create(category=l1, region=county, department=housing)
    world = World(city, county, town, other_town, village, bureau, housing, town_gov, other_gov, l3)
    people = {
        "clerk": (Role.CLERK, county, bureau),
        "dispatcher": (Role.DISPATCHER, county, bureau),
        "handler": (Role.HANDLER, county, housing),
        "town_handler": (Role.HANDLER, town, town_gov),
        "other_handler": (Role.HANDLER, other_town, other_gov),
        "mediator": (Role.MEDIATOR, town, town_gov),
        "grid_worker": (Role.GRID_WORKER, village, town_gov),
        "leader": (Role.LEADER, county, bureau),
        "supervisor": (Role.SUPERVISOR, county, bureau),
        "admin": (Role.ADMIN, None, None),
        "other_clerk": (Role.CLERK, other_town, other_gov),
    }
    for username, (role, region, dept) in people.items():
        world.staff[username] = Staff.objects.create_user(
            username=username, password=PASSWORD, role=role, region=region, department=dept, display_name=username
        )
    return world
