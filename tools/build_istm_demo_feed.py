# ruff: noqa: E501
"""Writes plugins/content_istm/demo_feed.json, ISTM's demo catalogue feed.

Demo data: course titles follow ISTM's staple subjects, but the content,
URLs and questions are written for this project's demo, not ISTM's own.
``python tools/build_istm_demo_feed.py`` regenerates the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.directory.demo_data import competency_id as cid

OUT = Path(__file__).resolve().parent.parent / "plugins" / "content_istm" / "demo_feed.json"
MEDIA = "https://media.demo.karmayogi.example/istm"
UPDATED = "2026-10-01T09:00:00+05:30"

# (id, title, category, languages, competencies, description,
#  [unit titles], [(question, options, answer index)])
COURSES: list[
    tuple[
        str,
        str,
        str,
        list[str],
        list[tuple[str, str, str | None]],
        str,
        list[str],
        list[tuple[str, list[str], int]],
    ]
] = [
    (
        "office-procedure",
        "Central Secretariat Manual of Office Procedure",
        "Office procedure",
        ["en", "hi"],
        [
            ("FUNCTIONAL", "Office procedure", "File management"),
            ("FUNCTIONAL", "Office procedure", "Noting and drafting"),
        ],
        "How a file is opened, moved, recorded and retained under the Central Secretariat Manual of Office Procedure: receipts, diarising, the file number, movement registers and record retention.",
        ["Receipts and diarising", "Opening and moving files", "Recording and retention"],
        [
            (
                "Where is a fresh receipt first entered?",
                [
                    "The diary register or e-Office receipt",
                    "The file movement register",
                    "The record room index",
                ],
                0,
            ),
            (
                "Who decides the record category of a file when it is closed?",
                ["The record room clerk", "The officer who closes the file", "The Secretary"],
                1,
            ),
            (
                "A Category C file is normally kept for how long?",
                ["Permanently", "Up to 10 years", "Up to 25 years"],
                1,
            ),
        ],
    ),
    (
        "noting-and-drafting",
        "Noting and Drafting",
        "Office procedure",
        ["en", "hi"],
        [
            ("FUNCTIONAL", "Office procedure", "Noting and drafting"),
            ("BEHAVIOURAL", "Communication", "Written communication"),
        ],
        "Writing notes that lead to decisions and drafts that say exactly what is decided: the structure of a note, précis, office memoranda, demi-official letters and orders.",
        ["Writing a note", "Forms of communication", "Drafting orders"],
        [
            (
                "What should a note on a receipt begin with?",
                ["The officer's opinion", "A précis of the issue to be decided", "The file history in full"],
                1,
            ),
            (
                "Which form is used between departments of the Government of India?",
                ["Office memorandum", "Notification", "Endorsement"],
                0,
            ),
            (
                "A demi-official letter is written",
                [
                    "In the third person",
                    "In the first person, to an officer by name",
                    "Only to state governments",
                ],
                1,
            ),
        ],
    ),
    (
        "rti-act",
        "Right to Information Act for Public Information Officers",
        "Right to Information",
        ["en", "hi"],
        [
            ("FUNCTIONAL", "Right to Information", "RTI replies"),
            ("FUNCTIONAL", "Right to Information", "First appeals"),
        ],
        "Replying to RTI applications within the law: time limits, fees, exemptions under section 8, transfers under section 6(3), and first appeals.",
        ["Receiving an application", "Exemptions and third parties", "First appeals"],
        [
            (
                "Within how many days must a CPIO reply to an ordinary RTI application?",
                ["15 days", "30 days", "45 days"],
                1,
            ),
            ("Information about life or liberty must be given within", ["48 hours", "7 days", "30 days"], 0),
            (
                "Which section lists the exemptions from disclosure?",
                ["Section 4", "Section 8", "Section 19"],
                1,
            ),
        ],
    ),
    (
        "establishment-rules",
        "Establishment Rules: Appointments, Promotions and Seniority",
        "Establishment",
        ["en"],
        [("FUNCTIONAL", "Establishment", "Service matters")],
        "Service matters from appointment to promotion: recruitment rules, probation, departmental promotion committees, seniority and the reservation roster.",
        ["Recruitment rules and appointment", "Promotion and DPCs", "Seniority"],
        [
            (
                "Who recommends promotions to selection posts?",
                [
                    "A departmental promotion committee",
                    "The appointing authority alone",
                    "The Staff Selection Commission",
                ],
                0,
            ),
            (
                "Probation is normally declared complete by",
                ["An order of the appointing authority", "Lapse of time alone", "The employee's request"],
                0,
            ),
            (
                "Recruitment rules for a post are framed under",
                ["Article 309 of the Constitution", "The RTI Act", "The GFR"],
                0,
            ),
        ],
    ),
    (
        "gfr-financial-management",
        "Financial Management under the General Financial Rules",
        "Financial management",
        ["en", "hi"],
        [
            ("FUNCTIONAL", "Financial management", "General Financial Rules"),
            ("FUNCTIONAL", "Financial management", "Budgeting"),
        ],
        "The General Financial Rules in practice: financial propriety, sanctions, budget estimates and re-appropriation, grants-in-aid and the accounts that follow.",
        ["Principles of financial propriety", "Budget and sanctions", "Grants-in-aid and accounts"],
        [
            (
                "Which is a standard of financial propriety?",
                [
                    "Spend as if from one's own money",
                    "Spend the full allocation by March",
                    "Avoid written sanctions",
                ],
                0,
            ),
            (
                "Moving funds between units of appropriation within a grant is called",
                ["Re-appropriation", "Supplementary grant", "Token cut"],
                0,
            ),
            ("Utilisation certificates are required for", ["Grants-in-aid", "Salaries", "Pensions"], 0),
        ],
    ),
    (
        "public-procurement",
        "Public Procurement and GeM",
        "Procurement",
        ["en"],
        [("FUNCTIONAL", "Procurement", "GeM buying"), ("FUNCTIONAL", "Procurement", "Tendering")],
        "Buying goods and services the GFR way: the Government e-Marketplace, limited and open tenders, bid security, evaluation and contract management.",
        ["Procurement principles", "Buying on GeM", "Open tenders and evaluation"],
        [
            (
                "Common-use goods available on GeM must be bought",
                ["On GeM, as the GFR require", "Only by open tender", "From any vendor"],
                0,
            ),
            (
                "An open tender is advertised on",
                ["The Central Public Procurement Portal", "Notice boards only", "Internal e-mail"],
                0,
            ),
            (
                "Splitting a purchase to avoid a higher sanction is",
                ["Not allowed", "Encouraged", "Allowed below Rs 1 lakh"],
                0,
            ),
        ],
    ),
    (
        "leave-rules",
        "CCS (Leave) Rules",
        "Establishment",
        ["en", "hi"],
        [("FUNCTIONAL", "Establishment", "Leave rules")],
        "Kinds of leave and how they are granted: earned leave, half pay leave, commuted leave, child care leave, special kinds of leave and leave encashment.",
        ["Kinds of leave", "Granting and accounting leave"],
        [
            ("Leave cannot be claimed as", ["A right", "A privilege", "Earned leave"], 0),
            (
                "Earned leave is credited",
                ["In advance in two instalments a year", "At the end of every month", "Only on retirement"],
                0,
            ),
            (
                "Commuted leave is debited against",
                ["Half pay leave, at twice the days", "Earned leave", "Casual leave"],
                0,
            ),
        ],
    ),
    (
        "pension-rules",
        "CCS (Pension) Rules and Bhavishya",
        "Establishment",
        ["en"],
        [("FUNCTIONAL", "Establishment", "Pension rules")],
        "Processing pension cases on time: qualifying service, emoluments, family pension, commutation and the Bhavishya online tracking system.",
        ["Qualifying service and emoluments", "Family pension and commutation", "Processing on Bhavishya"],
        [
            (
                "Pension papers should be started how long before retirement?",
                ["About a year", "One week", "After retirement"],
                0,
            ),
            (
                "Family pension is paid to",
                ["The eligible family member after the pensioner's death", "Any relative", "Only children"],
                0,
            ),
            ("Bhavishya is used to", ["Track pension cases online", "File RTI appeals", "Book travel"], 0),
        ],
    ),
    (
        "parliamentary-procedure",
        "Parliamentary Procedure for Ministries",
        "Parliamentary procedure",
        ["en"],
        [("FUNCTIONAL", "Parliamentary procedure", "Parliament questions")],
        "Work a ministry does for Parliament: starred and unstarred questions, assurances, calling attention notices, and papers laid on the table.",
        ["Questions and replies", "Assurances and papers laid"],
        [
            (
                "A starred question is answered",
                ["Orally on the floor of the House", "Only in writing", "By the Speaker"],
                0,
            ),
            (
                "An assurance given in the House must be fulfilled within",
                ["Three months", "One week", "Two years"],
                0,
            ),
            (
                "Replies to questions are approved by",
                ["The Minister", "The Section Officer", "The Lok Sabha Secretariat"],
                0,
            ),
        ],
    ),
    (
        "cabinet-notes",
        "Preparing Notes for the Cabinet",
        "Parliamentary procedure",
        ["en"],
        [
            ("FUNCTIONAL", "Parliamentary procedure", "Cabinet notes"),
            ("BEHAVIOURAL", "Collaboration", "Inter-departmental coordination"),
        ],
        "Writing a note for the Cabinet or its committees: the format, inter-ministerial consultation, comments of the Department of Expenditure and the Law Ministry, and follow-up of decisions.",
        ["Format and contents", "Inter-ministerial consultation", "After the decision"],
        [
            (
                "Before a Cabinet note is finalised, draft notes go to",
                ["Consulted ministries for comments", "The press", "State governments only"],
                0,
            ),
            ("Cabinet notes are now circulated through", ["e-Cabinet", "Post", "Fax"], 0),
            (
                "Who signs a Cabinet note?",
                [
                    "The Secretary of the sponsoring department",
                    "Any Section Officer",
                    "The Cabinet Secretary only",
                ],
                0,
            ),
        ],
    ),
    (
        "e-office",
        "Working Paperless on e-Office",
        "Office procedure",
        ["en", "hi"],
        [("FUNCTIONAL", "Office procedure", "e-Office"), ("DOMAIN", "Digital governance", "Office tools")],
        "Daily work on e-Office: e-receipts, e-files, digital signatures, attaching references, forwarding and closing files, and keeping e-files in order.",
        ["e-Receipts", "e-Files and noting", "Signing and closing"],
        [
            (
                "A paper receipt is brought into e-Office by",
                [
                    "Scanning and diarising it as an e-receipt",
                    "Keeping it in a physical file",
                    "E-mailing it",
                ],
                0,
            ),
            (
                "Notes in e-Office are signed with",
                ["A digital signature certificate or e-Sign", "A scanned signature", "A password only"],
                0,
            ),
            (
                "A closed e-file",
                ["Stays in the record as per its retention", "Is deleted", "Is printed and kept"],
                0,
            ),
        ],
    ),
    (
        "vigilance-disciplinary",
        "Vigilance and Disciplinary Proceedings",
        "Vigilance",
        ["en"],
        [
            ("FUNCTIONAL", "Vigilance", "Disciplinary proceedings"),
            ("BEHAVIOURAL", "Integrity", "Ethical conduct"),
        ],
        "Preventive vigilance and the CCS (CCA) Rules: minor and major penalty proceedings, the inquiry, the role of the CVC and the principles of natural justice.",
        ["Preventive vigilance", "Minor and major penalties", "Conducting an inquiry"],
        [
            (
                "A major penalty can be imposed only after",
                ["An inquiry under Rule 14", "A show-cause notice alone", "An oral warning"],
                0,
            ),
            ("Censure is a", ["Minor penalty", "Major penalty", "Not a penalty"], 0),
            (
                "The charged officer must be given",
                ["A reasonable opportunity of being heard", "No documents", "A decision before the inquiry"],
                0,
            ),
        ],
    ),
    (
        "cyber-hygiene",
        "Cyber Hygiene for Government Offices",
        "Digital literacy",
        ["en", "hi"],
        [("DOMAIN", "Digital governance", "Cyber security")],
        "Protecting government data and systems: passwords and multi-factor sign-in, phishing, removable media, reporting incidents and the government's e-mail policy.",
        ["Passwords and sign-in", "Phishing and malware", "Reporting incidents"],
        [
            (
                "An e-mail asks you to confirm your password through a link. You should",
                ["Not click, and report it", "Reply with the password", "Forward it to colleagues"],
                0,
            ),
            (
                "Multi-factor authentication adds",
                ["A second proof besides the password", "A longer password", "Nothing"],
                0,
            ),
            (
                "Cyber incidents in government are reported to",
                ["CERT-In", "The canteen committee", "Nobody"],
                0,
            ),
        ],
    ),
    (
        "data-privacy",
        "Data Privacy and the DPDP Act",
        "Digital literacy",
        ["en"],
        [("DOMAIN", "Digital governance", "Data privacy")],
        "Handling citizens' personal data under the Digital Personal Data Protection Act, 2023: consent, purpose limitation, data principals' rights and breach reporting.",
        ["Personal data and consent", "Rights and duties", "Breaches"],
        [
            (
                "Personal data may be processed for",
                ["The lawful purpose it was collected for", "Any purpose", "Marketing by default"],
                0,
            ),
            (
                "A person whose data is processed is called the",
                ["Data principal", "Data fiduciary", "Processor"],
                0,
            ),
            (
                "A personal data breach must be",
                ["Reported to the Board and affected persons", "Kept secret", "Ignored if small"],
                0,
            ),
        ],
    ),
    (
        "office-tools",
        "Office Tools: Documents, Spreadsheets and Presentations",
        "Digital literacy",
        ["en", "hi"],
        [("DOMAIN", "Digital governance", "Office tools")],
        "Everyday office software: formatting letters and notes, spreadsheets for statements and budgets, and short presentations for meetings.",
        ["Documents", "Spreadsheets", "Presentations"],
        [
            ("To total a column in a spreadsheet you use", ["SUM", "COUNT", "CONCAT"], 0),
            (
                "Styles in a document help to",
                ["Keep headings consistent", "Encrypt the file", "Print faster"],
                0,
            ),
            ("A good slide has", ["A few key points", "Full paragraphs", "Every table in full"], 0),
        ],
    ),
]

KIND_CYCLE = ["DOCUMENT", "AUDIO", "SCORM", "LINK", "OFFLINE_SESSION"]


def course(index: int, row: tuple[Any, ...]) -> dict[str, Any]:
    slug, title, category, languages, comps, description, unit_titles, questions = row
    units = []
    for n, unit_title in enumerate(unit_titles, start=1):
        resources: list[dict[str, Any]] = []
        video: dict[str, Any] = {
            "id": f"u{n}-video",
            "title": f"{unit_title}: lecture",
            "kind": "VIDEO",
            "required": True,
            "durationMinutes": 20 + 5 * n,
            "contentUrl": f"{MEDIA}/{slug}/u{n}/lecture.mp4",
        }
        if (index + n) % 2 == 0:
            video["lowBandwidthUrl"] = f"{MEDIA}/{slug}/u{n}/lecture-audio.m4a"
        resources.append(video)
        kind = KIND_CYCLE[(index + n) % len(KIND_CYCLE)]
        extra: dict[str, Any] = {
            "id": f"u{n}-{kind.lower().replace('_', '-')}",
            "title": f"{unit_title}: "
            + {
                "DOCUMENT": "reading",
                "AUDIO": "podcast",
                "SCORM": "interactive exercise",
                "LINK": "reference",
                "OFFLINE_SESSION": "classroom session at ISTM",
            }[kind],
            "kind": kind,
            "required": kind in ("DOCUMENT", "SCORM"),
            "durationMinutes": {"DOCUMENT": 15, "AUDIO": 12, "SCORM": 25, "LINK": 5, "OFFLINE_SESSION": 180}[
                kind
            ],
        }
        if kind != "OFFLINE_SESSION":
            ext = {"DOCUMENT": "pdf", "AUDIO": "mp3", "SCORM": "zip", "LINK": "html"}[kind]
            extra["contentUrl"] = f"{MEDIA}/{slug}/u{n}/material.{ext}"
        resources.append(extra)
        units.append({"id": f"u{n}", "title": unit_title, "resources": resources})
    units[-1]["resources"].append(
        {
            "id": "final-quiz",
            "title": "Final assessment",
            "kind": "QUIZ",
            "required": True,
            "durationMinutes": 15,
            "quiz": {
                "id": "final",
                "passPercentage": 60,
                "maxAttempts": 3,
                "questions": [
                    {"id": f"q{k}", "text": text, "options": options, "answers": [answer]}
                    for k, (text, options, answer) in enumerate(questions, start=1)
                ],
            },
        }
    )
    units[-1]["resources"].append(
        {
            "id": "feedback",
            "title": "Course feedback",
            "kind": "SURVEY",
            "required": True,
            "durationMinutes": 3,
        }
    )
    total = sum(r.get("durationMinutes", 0) for u in units for r in u["resources"])
    return {
        "id": slug,
        "title": title,
        "description": description,
        "languages": languages,
        "durationMinutes": total,
        "category": category,
        "updatedAt": UPDATED,
        "competencies": [{"id": cid(*c)} for c in comps],
        "units": units,
    }


def feed() -> dict[str, Any]:
    return {
        "schemaVersion": 1,
        "version": "2026.10.1-demo",
        "publishedAt": UPDATED,
        "note": "Demo data for development; not ISTM's published catalogue.",
        "courses": [course(i, row) for i, row in enumerate(COURSES)],
        "collections": [
            {
                "id": "digital-literacy",
                "title": "Digital Literacy",
                "description": "Cyber security, office tools and data privacy for every official, with IGNOU's certificate in information technology for those who want more.",
                "designations": [],
                "courseIds": [
                    "istm:cyber-hygiene",
                    "istm:office-tools",
                    "istm:data-privacy",
                    "istm:e-office",
                    "ignou:cit",
                ],
            },
            {
                "id": "new-section-officers",
                "title": "For New Section Officers",
                "description": "The first courses a newly appointed Section Officer needs: office procedure, noting and drafting, e-Office, RTI and establishment rules.",
                "designations": ["Section Officer", "Assistant Section Officer"],
                "courseIds": [
                    "istm:office-procedure",
                    "istm:noting-and-drafting",
                    "istm:e-office",
                    "istm:rti-act",
                    "istm:leave-rules",
                    "istm:pension-rules",
                ],
            },
            {
                "id": "citizen-services",
                "title": "Serving Citizens: RTI and Grievances",
                "description": "Answering RTI applications and resolving grievances, with IGNOU's certificate in grievance redressal.",
                "designations": ["Naib Tehsildar", "Section Officer"],
                "courseIds": ["istm:rti-act", "ignou:cgr", "ignou:chr"],
            },
            {
                "id": "finance-and-procurement",
                "title": "Finance and Procurement Essentials",
                "description": "The General Financial Rules, budgeting and buying on GeM for officers who sanction expenditure.",
                "designations": ["Under Secretary", "Deputy Secretary"],
                "courseIds": [
                    "istm:gfr-financial-management",
                    "istm:public-procurement",
                    "istm:cabinet-notes",
                ],
            },
        ],
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(feed(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")
