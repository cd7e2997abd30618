# ruff: noqa: E501
"""IGNOU demo programmes. Demo data: titles follow IGNOU's public programme
names, but descriptions, durations and URLs are written for this demo."""

from __future__ import annotations

from typing import Any

from gateway.directory.demo_data import competency_id as cid

NOTE = "Demo data for development; not IGNOU's published programme list."
URL = "https://learn.demo.ignou.example/programmes"
UPDATED = "2026-09-15T10:00:00+05:30"

# (code, title, category, languages, hours, competencies, description)
_PROGRAMMES: list[tuple[str, str, str, list[str], int, list[tuple[str, str, str | None]], str]] = [
    (
        "cit",
        "Certificate in Information Technology",
        "Information technology",
        ["en", "hi"],
        120,
        [
            ("DOMAIN", "Digital governance", "Office tools"),
            ("DOMAIN", "Digital governance", "Cyber security"),
        ],
        "Computer basics, office software, the internet and safe use of digital services for office work.",
    ),
    (
        "cdm",
        "Certificate in Disaster Management",
        "Disaster management",
        ["en", "hi"],
        90,
        [
            ("DOMAIN", "Disaster management", "Preparedness"),
            ("DOMAIN", "Disaster management", "Response and relief"),
        ],
        "Hazards, vulnerability and risk; preparedness plans; response, relief and rehabilitation after disasters.",
    ),
    (
        "crd",
        "Certificate in Rural Development",
        "Rural development",
        ["en", "hi"],
        100,
        [
            ("DOMAIN", "Rural development", "Panchayati raj"),
            ("DOMAIN", "Rural development", "Livelihood schemes"),
        ],
        "Rural society, panchayati raj institutions and the livelihood missions that reach villages.",
    ),
    (
        "pgdgds",
        "Post Graduate Diploma in Gender and Development Studies",
        "Gender and development",
        ["en"],
        240,
        [("DOMAIN", "Gender and development", "Gender budgeting")],
        "Gender and development theory, gender budgeting and gender-sensitive planning of public schemes.",
    ),
    (
        "ccitsk",
        "Certificate in Cyber Security",
        "Information technology",
        ["en"],
        80,
        [
            ("DOMAIN", "Digital governance", "Cyber security"),
            ("DOMAIN", "Digital governance", "Data privacy"),
        ],
        "Threats, defences, secure configuration, incident response and privacy in networked offices.",
    ),
    (
        "cai",
        "Certificate in Artificial Intelligence for Public Services",
        "Information technology",
        ["en", "hi"],
        60,
        [("DOMAIN", "Digital governance", "Artificial intelligence")],
        "What artificial intelligence can and cannot do, responsible use of AI tools and AI in government services.",
    ),
    (
        "dnhe",
        "Diploma in Nutrition and Health Education",
        "Public health",
        ["en", "hi"],
        180,
        [("DOMAIN", "Public health", "Health programmes")],
        "Nutrition, community health and the national health programmes that field officials implement.",
    ),
    (
        "pgdde",
        "Post Graduate Diploma in Distance Education",
        "Education",
        ["en"],
        240,
        [("DOMAIN", "Education", "Open and distance learning")],
        "Designing, delivering and evaluating open and distance learning programmes.",
    ),
    (
        "cpm",
        "Certificate in Project Management for Schemes",
        "Management",
        ["en"],
        70,
        [("FUNCTIONAL", "Project management", "Monitoring and evaluation")],
        "Planning, monitoring and evaluating public schemes: logical frameworks, indicators and reviews.",
    ),
    (
        "chr",
        "Certificate in Human Rights",
        "Governance",
        ["en", "hi"],
        90,
        [("BEHAVIOURAL", "Citizen centricity", "Empathy"), ("BEHAVIOURAL", "Integrity", "Ethical conduct")],
        "Human rights in the Constitution and in law, and their place in the daily work of public servants.",
    ),
    (
        "cgr",
        "Certificate in Grievance Redressal",
        "Governance",
        ["en", "hi"],
        50,
        [("BEHAVIOURAL", "Citizen centricity", "Grievance handling")],
        "Receiving, tracking and resolving citizens' grievances fairly, with CPGRAMS as the example system.",
    ),
    (
        "ccl",
        "Certificate in Communication and Leadership",
        "Management",
        ["en"],
        60,
        [("BEHAVIOURAL", "Leadership", "Team building"), ("BEHAVIOURAL", "Communication", "Public speaking")],
        "Leading teams, speaking to groups and communicating decisions in public offices.",
    ),
]


def demo_programmes() -> list[dict[str, Any]]:
    """Programmes as the stand-in serves them (provider API shape)."""
    return [
        {
            "id": code,
            "title": title,
            "description": description,
            "languages": languages,
            "durationMinutes": hours * 60,
            "category": category,
            "competencies": [{"id": cid(*c), "level": None} for c in comps],
            "externalUrl": f"{URL}/{code}",
            "updatedAt": UPDATED,
        }
        for code, title, category, languages, hours, comps, description in _PROGRAMMES
    ]


def generated_programmes(n: int) -> list[dict[str, Any]]:
    """``n`` programmes for load tests (copies of the demo ones, renamed)."""
    base = demo_programmes()
    out = []
    for i in range(n):
        item = dict(base[i % len(base)])
        item["id"] = f"{item['id']}-{i}"
        item["title"] = f"{item['title']} {i}"
        item["externalUrl"] = f"{URL}/{item['id']}"
        out.append(item)
    return out
