"""Demo data: a city and its chambers meet; every person and address is invented.

Loaded through the same handlers as the staff API, so it is published through the outbox like any
change. The ids are fixed: loading again creates only what is missing and changes nothing else
(not even what staff changed since). Dates are set when an event is first created: next spring.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from treffpunkt_shared.contracts.catalog import EventStatus, OrganisationKind

from .adapters import queries
from .domain.commands import AddSession, CreateContactPerson, CreateEvent, CreateOrganisation, CreateProgramme
from .domain.status import StatusChange
from .service_layer import handlers

BERLIN = ZoneInfo("Europe/Berlin")


def _id(n: int) -> UUID:
    return UUID(f"d0000000-0000-4000-8000-{n:012d}")


IHK, HWK, KHS, INDUSTRIEKREIS, WIRTSCHAFTSFOERDERUNG, STADTPLANUNG = (_id(n) for n in range(101, 107))

ORGANISATIONS = {
    IHK: CreateOrganisation(name="Industrie- und Handelskammer Musterstadt", kind=OrganisationKind.chamber_of_commerce,
                            website="https://www.ihk-musterstadt.example.org",
                            controller="Industrie- und Handelskammer Musterstadt, Marktplatz 2, 34117 Musterstadt, "
                                       "datenschutz@ihk-musterstadt.example.org",
                            privacy_notice_url="https://www.ihk-musterstadt.example.org/datenschutz/veranstaltungen",
                            privacy_notice_version="2026-01",
                            privacy_notice_text="Datenschutzhinweise der IHK Musterstadt für Veranstaltungen (Demo)."),
    HWK: CreateOrganisation(name="Handwerkskammer Musterstadt", kind=OrganisationKind.chamber_of_crafts,
                            website="https://www.hwk-musterstadt.example.org"),
    KHS: CreateOrganisation(name="Kreishandwerkerschaft Musterstadt", kind=OrganisationKind.guild_association,
                            website="https://www.khs-musterstadt.example.org"),
    INDUSTRIEKREIS: CreateOrganisation(name="Industriekreis Musterstadt e. V.", kind=OrganisationKind.association),
    WIRTSCHAFTSFOERDERUNG: CreateOrganisation(name="Stadt Musterstadt, Amt für Wirtschaftsförderung",
                                              kind=OrganisationKind.city_office,
                                              website="https://www.musterstadt.example.de/wirtschaft",
                                              controller="Stadt Musterstadt, Der Oberbürgermeister, Rathaus, "
                                                         "34117 Musterstadt, datenschutz@musterstadt.example.de",
                                              privacy_notice_url="https://www.musterstadt.example.de/datenschutz",
                                              privacy_notice_version="2025-11",
                                              privacy_notice_text="Datenschutzhinweise der Stadt Musterstadt (Demo)."),
    STADTPLANUNG: CreateOrganisation(name="Stadt Musterstadt, Stadtplanungsamt", kind=OrganisationKind.city_office,
                                     website="https://www.musterstadt.example.de/planen"),
}

BEISPIEL, PROBST, LINDNER, MUSTER, ALBRECHT, KOWALSKI, BRANDT = (_id(n) for n in range(201, 208))

CONTACT_PERSONS = {
    BEISPIEL: CreateContactPerson(organisation_id=IHK, name="Dr. Lena Beispiel", role="Referentin Standortpolitik",
                                  email="lena.beispiel@ihk-musterstadt.example.org", phone="+49 5555 1000-101"),
    PROBST: CreateContactPerson(organisation_id=IHK, name="Malte Probst", role="Referent Verkehr und Logistik",
                                email="malte.probst@ihk-musterstadt.example.org", phone="+49 5555 1000-102"),
    LINDNER: CreateContactPerson(organisation_id=HWK, name="Sophie Lindner", role="Beraterin Energie und Umwelt",
                                 email="sophie.lindner@hwk-musterstadt.example.org", phone="+49 5555 2000-201"),
    MUSTER: CreateContactPerson(organisation_id=STADTPLANUNG, name="Jonas Muster", role="Bauleitplanung",
                                email="jonas.muster@musterstadt.example.de", phone="+49 5555 3000-301"),
    ALBRECHT: CreateContactPerson(organisation_id=WIRTSCHAFTSFOERDERUNG, name="Petra Albrecht",
                                  role="Standortentwicklung und Energie",
                                  email="petra.albrecht@musterstadt.example.de", phone="+49 5555 3000-302"),
    KOWALSKI: CreateContactPerson(organisation_id=STADTPLANUNG, name="Tim Kowalski", role="Mobilitätsplanung",
                                  email="tim.kowalski@musterstadt.example.de"),
    BRANDT: CreateContactPerson(organisation_id=WIRTSCHAFTSFOERDERUNG, name="Carla Brandt",
                                role="Koordination Masterplan Industrie",
                                email="carla.brandt@musterstadt.example.de", phone="+49 5555 3000-303"),
}

MASTERPLAN_HANDWERK, MASTERPLAN_INDUSTRIE = _id(301), _id(302)

# In creation order: a programme can only link to one that exists.
PROGRAMMES = {
    MASTERPLAN_HANDWERK: CreateProgramme(
        title="Masterplan Handwerk",
        description="Stadt, Handwerkskammer und Kreishandwerkerschaft stimmen sich in festen Terminen ab "
                    "und planen gemeinsame Veranstaltungen für Handwerksbetriebe.",
        kind="Kooperation",
        responsible_offices=["Amt für Wirtschaftsförderung"],
    ),
    MASTERPLAN_INDUSTRIE: CreateProgramme(
        title="Masterplan Industrie",
        description="Verwaltung, Kammern, Industriekreis und Unternehmen arbeiten daran, Flächen für Produktion "
                    "und Gewerbe zu sichern, und tauschen sich dazu regelmäßig als Partner aus.",
        kind="Weiterentwicklung der Maßnahme",
        responsible_offices=["Amt für Wirtschaftsförderung", "Stadtplanungsamt"],
        linked_programme_ids=[MASTERPLAN_HANDWERK],
    ),
}

DIALOGUE, PARTNERSHIP_MEETING = _id(401), _id(402)
CLIMATE_SESSION, HEAT_SESSION, LOGISTICS_SESSION, PARTNERSHIP_SESSION = (_id(n) for n in range(501, 505))


@dataclass(frozen=True)
class DemoEvent:
    id: UUID
    event: CreateEvent
    sessions: dict[UUID, AddSession]


def _weekday_in_month(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN)


def demo_events(today: date) -> list[DemoEvent]:
    """The demo events, next spring as seen from `today`."""
    year = today.year if today.month < 2 else today.year + 1
    dialogue_day = _weekday_in_month(year, 3, 2, 2)  # second Wednesday of March
    meeting_day = _weekday_in_month(year, 4, 1, 2)  # second Tuesday of April
    return [
        DemoEvent(
            DIALOGUE,
            CreateEvent(
                title="Wirtschaft trifft Verwaltung",
                description="Stadtverwaltung und regionale Wirtschaft im direkten Gespräch: drei Sessions zur "
                            "gleichen Zeit, jede mit Fachleuten aus der Verwaltung und aus den Kammern. "
                            "Bitte wählen Sie bei der Anmeldung eine Session.",
                organiser_ids=[IHK, WIRTSCHAFTSFOERDERUNG],
                venue_name="Rathaus Musterstadt, Bürgersaal",
                venue_address="Marktplatz 1, 12345 Musterstadt",
                starts_at=_at(dialogue_day, 14),
                ends_at=_at(dialogue_day, 17, 30),
                registration_deadline=_at(dialogue_day - timedelta(days=7), 23, 59),
            ),
            {
                CLIMATE_SESSION: AddSession(
                    title="Klimaschutz in der Bauleitplanung",
                    description="Was Festsetzungen für erneuerbare Energie und Klimaanpassung in Bebauungsplänen "
                                "für Betriebe bedeuten, und wie Standorte dabei wettbewerbsfähig bleiben.",
                    capacity=30, waitlist_size=10, contact_person_ids=[BEISPIEL, MUSTER],
                ),
                HEAT_SESSION: AddSession(
                    title="Infrastruktur und Energieversorgung: Wärme",
                    description="Der Stand der kommunalen Wärmeplanung, wo Wärmenetze wachsen sollen, in welchem "
                                "Zeitraum, und was Unternehmen dafür brauchen.",
                    capacity=25, waitlist_size=10, contact_person_ids=[LINDNER, ALBRECHT],
                ),
                LOGISTICS_SESSION: AddSession(
                    title="Wirtschaftsverkehr und City-Logistik",
                    description="Erreichbarkeit, Lieferverkehr und der Entwurf des City-Logistik-Konzepts: "
                                "gemeinsam nach Lösungen suchen, die Wege und Emissionen sparen.",
                    capacity=25, waitlist_size=10, contact_person_ids=[PROBST, KOWALSKI],
                ),
            },
        ),
        DemoEvent(
            PARTNERSHIP_MEETING,
            CreateEvent(
                title="Partnerschaftstreffen Masterplan Industrie",
                description="Der regelmäßige Austausch der Partner des Masterplans Industrie: Gewerbeflächen, "
                            "gemischte Quartiere und die nächsten gemeinsamen Schritte.",
                programme_id=MASTERPLAN_INDUSTRIE,
                organiser_ids=[WIRTSCHAFTSFOERDERUNG, IHK, INDUSTRIEKREIS],
                venue_name="Technisches Rathaus, Sitzungsraum 3",
                venue_address="Am Gewerbepark 7, 12345 Musterstadt",
                starts_at=_at(meeting_day, 10),
                ends_at=_at(meeting_day, 12),
                registration_deadline=_at(meeting_day - timedelta(days=7), 23, 59),
            ),
            {
                PARTNERSHIP_SESSION: AddSession(
                    title="Partnerschaftstreffen",
                    description="Berichte der Partner und Verabredungen bis zum nächsten Treffen.",
                    capacity=20, waitlist_size=5, contact_person_ids=[BRANDT, BEISPIEL],
                ),
            },
        ),
    ]


async def load_demo(conn: asyncpg.Connection, *, today: date | None = None) -> int:
    """Create what of the demo data is missing, all or nothing; how many things were created."""
    created = 0
    async with conn.transaction():
        for organisation_id, command in ORGANISATIONS.items():
            if await queries.organisation(conn, organisation_id) is None:
                await handlers.create_organisation(conn, command, organisation_id=organisation_id)
                created += 1
        for contact_person_id, command in CONTACT_PERSONS.items():
            if await queries.contact_person(conn, contact_person_id) is None:
                await handlers.create_contact_person(conn, command, contact_person_id=contact_person_id)
                created += 1
        for programme_id, command in PROGRAMMES.items():
            if await queries.programme(conn, programme_id) is None:
                await handlers.create_programme(conn, command, programme_id=programme_id)
                created += 1
        for demo in demo_events(today or date.today()):
            if await queries.event(conn, demo.id) is None:
                await handlers.create_event(conn, demo.event, event_id=demo.id)
                created += 1
            for session_id, command in demo.sessions.items():
                if await queries.session(conn, session_id) is None:
                    await handlers.add_session(conn, demo.id, command, session_id=session_id)
                    created += 1
            event = await queries.event(conn, demo.id)
            if event.status is EventStatus.draft:
                await handlers.change_event_status(conn, demo.id, StatusChange.publish)
    return created
