"""The demo's cast: accreditation bodies, certification bodies, clients' names and trades.

The accreditation bodies are real national bodies, signatories of the IAF MLA
through their regional groups; the certification bodies and their clients are
invented. Each CB is accredited by its ``accredited_by`` AB for every catalogued
standard (registry.demo.builder writes the directory and the accreditations).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccreditationBody:
    acronym: str
    name: str
    country: str
    region: str  # the IAF regional group through which it signs the MLA


@dataclass(frozen=True)
class CertificationBody:
    id: str
    name: str
    country: str
    accredited_by: str  # an AccreditationBody's acronym
    prefix: str  # of its certificate numbers
    share: float  # of the registry's certificates
    client_countries: tuple[tuple[str, float], ...]  # where its clients are, by weight


ACCREDITATION_BODIES = (
    AccreditationBody("DAkkS", "Deutsche Akkreditierungsstelle", "DE", "EA"),
    AccreditationBody("UKAS", "United Kingdom Accreditation Service", "GB", "EA"),
    AccreditationBody("COFRAC", "Comité français d'accréditation", "FR", "EA"),
    AccreditationBody("ACCREDIA", "Ente Italiano di Accreditamento", "IT", "EA"),
    AccreditationBody("ENAC", "Entidad Nacional de Acreditación", "ES", "EA"),
    AccreditationBody("PCA", "Polskie Centrum Akredytacji", "PL", "EA"),
    AccreditationBody(
        "JAS-ANZ", "Joint Accreditation System of Australia and New Zealand", "AU", "APAC"
    ),
    AccreditationBody("ANAB", "ANSI National Accreditation Board", "US", "IAAC"),
)

CERTIFICATION_BODIES = (
    CertificationBody(
        "cb-nordstern",
        "Nordstern Zertifizierung GmbH",
        "DE",
        "DAkkS",
        "NZ",
        0.22,
        (("DE", 0.8), ("DK", 0.12), ("PL", 0.08)),
    ),
    CertificationBody(
        "cb-albion",
        "Albion Assurance Ltd",
        "GB",
        "UKAS",
        "AA",
        0.16,
        (("GB", 0.85), ("SE", 0.15)),
    ),
    CertificationBody(
        "cb-rhone",
        "Certification Rhône-Alpes SAS",
        "FR",
        "COFRAC",
        "CRA",
        0.12,
        (("FR", 0.9), ("ES", 0.1)),
    ),
    CertificationBody(
        "cb-dolomiti",
        "Dolomiti Certificazioni S.r.l.",
        "IT",
        "ACCREDIA",
        "DC",
        0.14,
        (("IT", 1.0),),
    ),
    CertificationBody(
        "cb-iberica",
        "Certificación Ibérica S.L.",
        "ES",
        "ENAC",
        "CI",
        0.1,
        (("ES", 0.9), ("FR", 0.1)),
    ),
    CertificationBody(
        "cb-wisla",
        "Wisła Certyfikacja Sp. z o.o.",
        "PL",
        "PCA",
        "WC",
        0.1,
        (("PL", 0.9), ("DE", 0.1)),
    ),
    CertificationBody(
        "cb-southern-cross",
        "Southern Cross Certification Pty Ltd",
        "AU",
        "JAS-ANZ",
        "SCC",
        0.08,
        (("AU", 0.7), ("NZ", 0.3)),
    ),
    CertificationBody(
        "cb-great-lakes",
        "Great Lakes Registrar Inc.",
        "US",
        "ANAB",
        "GLR",
        0.08,
        (("US", 1.0),),
    ),
)


@dataclass(frozen=True)
class Trade:
    """What a client does: its IAF sector code, its certified scope, and the word its
    name uses for it in each language."""

    sector_code: str
    scope: str
    words: dict[str, str]


TRADES = (
    Trade(
        "17",
        "Machining, welding and surface treatment of steel components",
        {
            "de": "Metallbau",
            "pl": "Obróbka Metali",
            "fr": "Métallurgie",
            "it": "Lavorazioni Metalliche",
            "es": "Metalúrgica",
            "en": "Precision Engineering",
            "da": "Stålværk",
            "sv": "Mekaniska Verkstad",
        },
    ),
    Trade(
        "19",
        "Design and assembly of electronic control units",
        {
            "de": "Elektronik",
            "pl": "Elektronika",
            "fr": "Électronique",
            "it": "Elettronica",
            "es": "Electrónica",
            "en": "Electronics",
            "da": "Elektronik",
            "sv": "Elektronik",
        },
    ),
    Trade(
        "28",
        "Construction of industrial and residential buildings",
        {
            "de": "Bau",
            "pl": "Budownictwo",
            "fr": "Bâtiment",
            "it": "Costruzioni",
            "es": "Construcciones",
            "en": "Construction",
            "da": "Byggeri",
            "sv": "Bygg",
        },
    ),
    Trade(
        "33",
        "Development, hosting and support of business software",
        {
            "de": "Softwaretechnik",
            "pl": "Systemy Informatyczne",
            "fr": "Informatique",
            "it": "Informatica",
            "es": "Informática",
            "en": "Software",
            "da": "Software",
            "sv": "Datasystem",
        },
    ),
    Trade(
        "31",
        "Road freight transport, warehousing and distribution",
        {
            "de": "Logistik",
            "pl": "Logistyka",
            "fr": "Transports",
            "it": "Logistica",
            "es": "Transportes",
            "en": "Logistics",
            "da": "Logistik",
            "sv": "Logistik",
        },
    ),
    Trade(
        "3",
        "Production of bakery products and confectionery",
        {
            "de": "Großbäckerei",
            "pl": "Piekarnia",
            "fr": "Boulangerie Industrielle",
            "it": "Dolciaria",
            "es": "Panificadora",
            "en": "Bakeries",
            "da": "Bageri",
            "sv": "Bageri",
        },
    ),
    Trade(
        "14",
        "Injection moulding of plastic parts for the automotive industry",
        {
            "de": "Kunststofftechnik",
            "pl": "Tworzywa Sztuczne",
            "fr": "Plasturgie",
            "it": "Materie Plastiche",
            "es": "Plásticos",
            "en": "Plastics",
            "da": "Plast",
            "sv": "Plast",
        },
    ),
    Trade(
        "4",
        "Spinning, weaving and finishing of technical textiles",
        {
            "de": "Textilwerke",
            "pl": "Tekstylia",
            "fr": "Textiles",
            "it": "Tessitura",
            "es": "Textil",
            "en": "Textiles",
            "da": "Tekstil",
            "sv": "Textil",
        },
    ),
    Trade(
        "35",
        "Cleaning and facility management services",
        {
            "de": "Gebäudeservice",
            "pl": "Usługi Porządkowe",
            "fr": "Propreté",
            "it": "Servizi Integrati",
            "es": "Servicios Integrales",
            "en": "Facilities Services",
            "da": "Service",
            "sv": "Fastighetsservice",
        },
    ),
    Trade(
        "38",
        "Medical laboratory testing and diagnostics",
        {
            "de": "Labordiagnostik",
            "pl": "Diagnostyka",
            "fr": "Laboratoires",
            "it": "Diagnostica",
            "es": "Laboratorios",
            "en": "Diagnostics",
            "da": "Laboratorium",
            "sv": "Laboratorium",
        },
    ),
)
TRADE_BY_CODE = {trade.sector_code: trade for trade in TRADES}


@dataclass(frozen=True)
class Locale:
    """How a country's client names and addresses look."""

    language: str
    cities: tuple[str, ...]
    families: tuple[str, ...]
    forms: tuple[str, ...]
    streets: tuple[str, ...]
    street_first: bool  # "Hauptstraße 12" (False: "12 Mill Lane")


LOCALES = {
    "DE": Locale(
        "de",
        ("München", "Köln", "Düsseldorf", "Nürnberg", "Lübeck", "Würzburg", "Göttingen"),
        ("Müller", "Schäfer", "Groß", "Köhler", "Weiß", "Jäger", "Krüger", "Hoffmann"),
        ("GmbH", "GmbH & Co. KG", "AG"),
        ("Industriestraße", "Schillerstraße", "Am Mühlbach", "Königsallee"),
        True,
    ),
    "PL": Locale(
        "pl",
        ("Kraków", "Gdańsk", "Wrocław", "Poznań", "Białystok", "Rzeszów", "Toruń"),
        ("Wiśniewski", "Kowalczyk", "Zieliński", "Wójcik", "Łukasiewicz", "Dąbrowski"),
        ("Sp. z o.o.", "S.A."),
        ("ul. Piotrkowska", "ul. Żeromskiego", "ul. Przemysłowa", "al. Jerozolimskie"),
        True,
    ),
    "FR": Locale(
        "fr",
        ("Besançon", "Orléans", "Nîmes", "Créteil", "Angoulême", "Saint-Étienne", "Châlons"),
        ("Lefèvre", "Gérard", "Ménard", "Benoît", "Hébert", "Thérond"),
        ("SAS", "SA", "SARL"),
        ("rue de la République", "avenue Jean-Jaurès", "rue des Forges", "chemin des Prés"),
        False,
    ),
    "IT": Locale(
        "it",
        ("Città di Castello", "Forlì", "Cantù", "Paternò", "Ragusa", "Sansepolcro"),
        ("Fabbri", "Colò", "Niccolò", "Galilei", "Rossi", "Bellò"),
        ("S.r.l.", "S.p.A."),
        ("via Garibaldi", "via dell'Industria", "viale dell'Università", "via Fornò"),
        True,
    ),
    "ES": Locale(
        "es",
        ("A Coruña", "Logroño", "Cádiz", "Málaga", "León", "Córdoba", "Alcalá de Henares"),
        ("Peña", "Núñez", "Ibáñez", "Muñoz", "Gómez", "Martín"),
        ("S.L.", "S.A."),
        ("calle Mayor", "avenida de Andalucía", "polígono industrial El Pilón", "calle Túria"),
        True,
    ),
    "GB": Locale(
        "en",
        ("Leeds", "Bristol", "Cardiff", "Aberdeen", "Stoke-on-Trent", "Norwich"),
        ("Whitfield", "Ashworth", "Pennington", "Hargreaves", "O'Neill"),
        ("Ltd", "plc"),
        ("Mill Lane", "Station Road", "Riverside Way", "Wharf Street"),
        False,
    ),
    "SE": Locale(
        "sv",
        ("Malmö", "Göteborg", "Västerås", "Örebro", "Jönköping"),
        ("Åkesson", "Lindström", "Sjöberg", "Bergqvist"),
        ("AB",),
        ("Storgatan", "Industrivägen", "Hamngatan"),
        True,
    ),
    "DK": Locale(
        "da",
        ("Århus", "Køge", "Næstved", "Hillerød", "Ølstykke"),
        ("Jørgensen", "Sørensen", "Mølgaard", "Thygesen"),
        ("A/S", "ApS"),
        ("Strandvejen", "Søndergade", "Industrivej"),
        True,
    ),
    "AU": Locale(
        "en",
        ("Wollongong", "Geelong", "Toowoomba", "Launceston", "Bendigo"),
        ("McAllister", "Nguyen", "Papadopoulos", "Kowalski", "Fitzgerald"),
        ("Pty Ltd",),
        ("Princes Highway", "Harbour Street", "Industrial Drive"),
        False,
    ),
    "NZ": Locale(
        "en",
        ("Whangārei", "Tauranga", "Rotorua", "Ōamaru", "Taupō"),
        ("Te Whata", "Ngata", "Harrison", "Walker"),
        ("Limited",),
        ("Cameron Road", "Great South Road", "Te Ngae Road"),
        False,
    ),
    "US": Locale(
        "en",
        ("Cleveland", "San José", "Española", "Boise", "Dayton", "Toledo"),
        ("Hernández", "Kowalczyk", "Olsen", "Brooks", "Delacroix"),
        ("Inc.", "LLC"),
        ("Main Street", "Industrial Parkway", "Commerce Drive"),
        False,
    ),
}

# Standards with the registry's share of them (bench-scale's mix, ISO Survey-like).
STANDARDS = (
    ("ISO 9001:2015", 0.52),
    ("ISO 14001:2015", 0.24),
    ("ISO 45001:2018", 0.17),
    ("ISO/IEC 27001:2022", 0.035),
    ("ISO 50001:2018", 0.01),
    ("ISO 22000:2018", 0.01),
    ("ISO 13485:2016", 0.008),
    ("ISO/IEC 20000-1:2018", 0.005),
    ("ISO 37001:2016", 0.002),
)
# The trade a standard implies, when it implies one.
STANDARD_TRADES = {
    "ISO/IEC 27001:2022": "33",
    "ISO/IEC 20000-1:2018": "33",
    "ISO 22000:2018": "3",
    "ISO 13485:2016": "38",
}
# Each standard's letter in certificate numbers.
NUMBER_LETTERS = {
    "ISO 9001:2015": "Q",
    "ISO 14001:2015": "E",
    "ISO 45001:2018": "OHS",
    "ISO/IEC 27001:2022": "IS",
    "ISO 50001:2018": "EN",
    "ISO 22000:2018": "FS",
    "ISO 13485:2016": "MD",
    "ISO/IEC 20000-1:2018": "IT",
    "ISO 37001:2016": "AB",
}

SUSPENSION_REASONS = (
    "major nonconformity not closed within 90 days",
    "client did not allow the surveillance audit within the required interval",
    "misuse of the certification mark on product packaging",
    "client requested a voluntary suspension during a site relocation",
    "fees unpaid after two reminders",
)
# Reasons a CB tells only the accreditation bodies and the registry (commercial or the
# client's private matters): published marked confidential, the public reads "withheld".
CONFIDENTIAL_REASONS = frozenset(
    {
        "client requested a voluntary suspension during a site relocation",
        "fees unpaid after two reminders",
    }
)
WITHDRAWAL_REASONS = (
    "suspension not resolved within the time set by the certification body",
    "persistent failure to correct major nonconformities",
)
CANCELLATION_REASONS = (
    "client ended the certification contract",
    "client ceased the certified activity",
    "site closed",
)
