"""A demo asset register for a development machine, consistent with Table 1 of the ICT Service Strategy.

Per site: as many network printers and telephones as Table 1 counts, one computer per computer user
(mostly desktops, every fourth a laptop), a switch in each connected building, and the network links
Table 1 describes (MPLS from each remote site to Dutywa Main Building, the hub). Everything is derived
from the site rows in a fixed order, so every run gives the same tags, serials and dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import Asset, AssetStatus, AssetType, Building, ConnectionType, Site

HUB = "Dutywa Main Building"
MAIN_BUILDING_FLOORS = ("Ground floor", "1st floor", "2nd floor")


@dataclass(frozen=True)
class Kind:
    code: str  # the tag's middle part: MLM-<code>-0001
    type: str
    models: tuple[tuple[str, str], ...]  # (make, model), used in turn
    purchase_date: date | None = None
    warranty_years: int = 0


DESKTOP = Kind(
    "DSK",
    AssetType.DESKTOP,
    (("HP", "ProDesk 400 G7"), ("Lenovo", "ThinkCentre M70q Gen 3"), ("Dell", "OptiPlex 7010")),
    date(2022, 4, 1),
    3,
)
LAPTOP = Kind(
    "LAP",
    AssetType.LAPTOP,
    (("HP", "ProBook 450 G9"), ("Lenovo", "ThinkPad E14 Gen 4"), ("Dell", "Latitude 5440")),
    date(2023, 7, 3),
    3,
)
PRINTER = Kind(
    "PRN",
    AssetType.PRINTER,
    (("Kyocera", "ECOSYS M3145dn"), ("HP", "LaserJet Pro M404dn")),
    date(2021, 9, 15),
    3,
)
TELEPHONE = Kind(
    "TEL", AssetType.TELEPHONE, (("Yealink", "SIP-T31P"), ("Yealink", "SIP-T43U")), date(2020, 11, 2), 2
)
SWITCH = Kind("SWI", AssetType.SWITCH, (("Cisco", "Catalyst 1000-24P-4G-L"),), date(2019, 6, 3), 5)
LINK = Kind("LNK", AssetType.NETWORK_LINK, ())

LINK_EQUIPMENT = {
    ConnectionType.MPLS: ("Cisco", "ISR 1111-4P (MPLS router)"),
    ConnectionType.FIBRE: ("", "Fibre run"),
    ConnectionType.WIRELESS: ("Ubiquiti", "PowerBeam 5AC Gen2"),
}
SERIAL_PREFIX = {"HP": "CND", "Lenovo": "PF", "Dell": "DL", "Kyocera": "VCF", "Yealink": "YL", "Cisco": "FOC"}


@dataclass(frozen=True)
class DemoLink:
    site: str
    connection_type: str
    far_site: str | None = None
    building: str | None = None  # None: the site's first connected building
    notes: str = ""


# The links of Table 1's "connection type" column. Where the table names no far end, the link is
# recorded inside its site, with a note that says so.
DEMO_LINKS = (
    DemoLink("New Community Services (Tesko)", ConnectionType.MPLS, HUB),
    DemoLink("Dutywa Town Hall (Community Services)", ConnectionType.WIRELESS, "Customer Care"),
    DemoLink("Customer Care", ConnectionType.MPLS, HUB),
    DemoLink("Dutywa TRC", ConnectionType.WIRELESS, HUB),
    DemoLink("Dutywa Workshop", ConnectionType.MPLS, HUB),
    DemoLink(
        "Dutywa Workshop",
        ConnectionType.FIBRE,
        notes="Table 1: MPLS and Fibre; the fibre's far end is not recorded.",
    ),
    DemoLink("Willowvale", ConnectionType.MPLS, HUB),
    DemoLink(
        "Willowvale",
        ConnectionType.FIBRE,
        notes="Table 1: MPLS and Fibre; the fibre's far end is not recorded.",
    ),
    DemoLink("Elliotdale", ConnectionType.MPLS, HUB),
    DemoLink(
        "Elliotdale",
        ConnectionType.WIRELESS,
        notes="Table 1: MPLS and Wireless; the wireless far end is not recorded.",
    ),
    *(
        DemoLink(
            HUB, ConnectionType.WIRELESS, building=f"Park home {n}", notes="Wireless from the main building."
        )
        for n in (1, 2, 3)
    ),
)


class _Tags:
    """MLM-<code>-0001, -0002, ... per kind, in Table 1's site order: the same tags on every run."""

    def __init__(self):
        self.counters: dict[str, int] = {}

    def next(self, kind: Kind) -> str:
        self.counters[kind.code] = self.counters.get(kind.code, 0) + 1
        return f"MLM-{kind.code}-{self.counters[kind.code]:04d}"


def _equipment(kind: Kind, tag: str, number: int, site: Site, building: Building | None) -> Asset:
    make, model = kind.models[number % len(kind.models)]
    purchase = kind.purchase_date
    return Asset(
        asset_tag=tag,
        type=kind.type,
        make=make,
        model=model,
        serial=f"{SERIAL_PREFIX[make]}{site.table_order:02d}{kind.code}{number + 1:04d}",
        site=site,
        building=building,
        status=AssetStatus.IN_USE,
        purchase_date=purchase,
        warranty_expires=purchase.replace(year=purchase.year + kind.warranty_years) if purchase else None,
    )


def demo_assets() -> list[Asset]:
    """The demo register (unsaved), derived from the sites and buildings in the database."""
    sites = list(Site.objects.order_by("table_order", "name"))
    by_name = {site.name: site for site in sites}
    connected: dict[int, list[Building]] = {}
    named: dict[tuple[int, str], Building] = {}
    for building in Building.objects.order_by("name"):
        named[building.site_id, building.name] = building
        if building.connected:
            connected.setdefault(building.site_id, []).append(building)

    tags = _Tags()
    assets: list[Asset] = []
    for site in sites:
        # Equipment goes into the site's connected buildings in turn (none: no building recorded).
        rooms = connected.get(site.pk) or [None]
        for n in range(site.computer_users):
            kind = LAPTOP if n % 4 == 3 else DESKTOP
            assets.append(_equipment(kind, tags.next(kind), n, site, rooms[n % len(rooms)]))
        for n in range(site.network_printers):
            printer = _equipment(PRINTER, tags.next(PRINTER), n, site, rooms[n % len(rooms)])
            if printer.building is not None and printer.building.name == "Main building":
                # The hub's main building has three floors; its printers stand on each in turn.
                printer.location = MAIN_BUILDING_FLOORS[(n // len(rooms)) % len(MAIN_BUILDING_FLOORS)]
            assets.append(printer)
        for n in range(site.telephones):
            assets.append(_equipment(TELEPHONE, tags.next(TELEPHONE), n, site, rooms[n % len(rooms)]))
        for n, building in enumerate(connected.get(site.pk, [])):
            assets.append(_equipment(SWITCH, tags.next(SWITCH), n, site, building))

    for link in DEMO_LINKS:
        site = by_name.get(link.site)
        if site is None:
            continue
        make, model = LINK_EQUIPMENT[link.connection_type]
        building = (
            named.get((site.pk, link.building)) if link.building else (connected.get(site.pk) or [None])[0]
        )
        assets.append(
            Asset(
                asset_tag=tags.next(LINK),
                type=AssetType.NETWORK_LINK,
                make=make,
                model=model,
                site=site,
                building=building,
                status=AssetStatus.IN_USE,
                connection_type=link.connection_type,
                far_site=by_name.get(link.far_site) if link.far_site else None,
                notes=link.notes,
            )
        )
    return assets


@transaction.atomic
def demo_assets_load() -> int:
    """Add the demo assets whose tags are not in the register yet; returns how many were added.

    Idempotent: a second run adds nothing, and an asset someone changed is left as they left it.
    """
    wanted = demo_assets()
    existing = set(
        Asset.objects.filter(asset_tag__in=[asset.asset_tag for asset in wanted]).values_list(
            "asset_tag", flat=True
        )
    )
    missing = [asset for asset in wanted if asset.asset_tag not in existing]
    if missing:
        bulk_create_with_history(missing, Asset, batch_size=500, default_change_reason="Demo data")
    return len(missing)
