"""The demo newsroom's content: an imaginary Baku outlet, The Caspian Herald.

People quoted here are invented; places and organisations are real so tags and
datelines look like a working newsroom's. Bodies use the small markup of load_demo
(blank-line blocks; "## " subhead, "> " quotation, "- " or "1. " list items).
"""

AUTHOR = "author"
REPORTING = "reporting"
PHOTOGRAPHS = "photos"

SECTIONS = [
    # slug, name, parent slug, position, description
    ("nation", "Nation", None, 1, "News from across Azerbaijan."),
    ("politics", "Politics", "nation", 2, "Parliament, government and elections."),
    ("society", "Society", "nation", 3, "Cities, schools, health and the environment."),
    ("business", "Business", None, 4, "Markets, money and the regional economy."),
    ("energy", "Energy", "business", 5, "Oil, gas, power and the energy transition."),
    ("world", "World", None, 6, "The South Caucasus, the Caspian and beyond."),
    ("culture", "Culture", None, 7, "Music, books, crafts and heritage."),
    ("sport", "Sport", None, 8, "Football, wrestling, winter sports and more."),
    ("opinion", "Opinion", None, 9, "Columns and guest essays. Views are the authors' own."),
]

PHOTOS = [
    {
        "key": "baku-skyline",
        "title": "Baku at dusk",
        "shape": "skyline",
        "colors": ("#1d2b64", "#f8cdda"),
        "size": (1200, 675),
        "alt": "The Baku skyline at dusk, with the Flame Towers lit above the bay",
        "caption": "Baku's skyline seen from the seaside boulevard.",
        "credit": "Photo: Elvin Babayev / The Caspian Herald",
    },
    {
        "key": "caspian-shore",
        "title": "Caspian shore, Sumqayıt",
        "shape": "sea",
        "colors": ("#0f4c81", "#8ed1fc"),
        "size": (1200, 675),
        "alt": "Shallow water and exposed sandbanks on the Caspian shore near Sumqayıt",
        "caption": "The shoreline north of Sumqayıt has moved tens of metres in a decade.",
        "credit": "Photo: Elvin Babayev / The Caspian Herald",
    },
    {
        "key": "caucasus-peaks",
        "title": "Greater Caucasus above Qəbələ",
        "shape": "mountains",
        "colors": ("#2c3e50", "#bdc3c7"),
        "size": (1200, 675),
        "alt": "Snow-covered peaks of the Greater Caucasus above the town of Qəbələ",
        "caption": "Early snow on the slopes above Qəbələ.",
        "credit": "Photo: Caspian News Agency",
    },
    {
        "key": "parliament",
        "title": "Milli Məclis, Baku",
        "shape": "skyline",
        "colors": ("#3a1c71", "#ffaf7b"),
        "size": (1200, 675),
        "alt": "The parliament building in Baku in the late afternoon",
        "caption": "The Milli Məclis, Azerbaijan's parliament.",
        "credit": "Photo: Caspian News Agency",
    },
    {
        "key": "oil-platform",
        "title": "Offshore platform, Caspian Sea",
        "shape": "sea",
        "colors": ("#232526", "#ff8c00"),
        "size": (1200, 675),
        "alt": "An offshore oil platform silhouetted against an orange sky on the Caspian Sea",
        "caption": "An offshore platform east of the Absheron peninsula.",
        "credit": "Photo: Nigar Quliyeva / The Caspian Herald",
    },
    {
        "key": "ganja-square",
        "title": "Evening in Gəncə",
        "shape": "skyline",
        "colors": ("#134e5e", "#71b280"),
        "size": (1200, 675),
        "alt": "Low historic buildings around the central square of Gəncə in the evening",
        "caption": "The old centre of Gəncə, Azerbaijan's second city.",
        "credit": "Photo: Sevinc Rzayeva / The Caspian Herald",
    },
    {
        "key": "stadium",
        "title": "Floodlights, Baku",
        "shape": "skyline",
        "colors": ("#0b8793", "#360033"),
        "size": (1200, 675),
        "alt": "Floodlights over a packed football stadium in Baku at night",
        "caption": "A full house for the Baku derby.",
        "credit": "Photo: Elvin Babayev / The Caspian Herald",
    },
    {
        "key": "market",
        "title": "Yaşıl Bazar",
        "shape": "skyline",
        "colors": ("#f46b45", "#eea849"),
        "size": (1200, 675),
        "alt": "Fruit and vegetable stalls under awnings at a covered market in Baku",
        "caption": "Prices at Baku's Yaşıl Bazar have steadied since the spring.",
        "credit": "Photo: Caspian News Agency",
    },
    {
        "key": "portrait-leyla",
        "title": "Leyla Məmmədova",
        "shape": "portrait",
        "colors": ("#355c7d", "#c06c84"),
        "size": (400, 400),
        "alt": "Portrait of Leyla Məmmədova",
        "credit": "Photo: The Caspian Herald",
    },
    {
        "key": "portrait-rashad",
        "title": "Rəşad Həsənov",
        "shape": "portrait",
        "colors": ("#2c3e50", "#4ca1af"),
        "size": (400, 400),
        "alt": "Portrait of Rəşad Həsənov",
        "credit": "Photo: The Caspian Herald",
    },
    {
        "key": "portrait-nigar",
        "title": "Nigar Quliyeva",
        "shape": "portrait",
        "colors": ("#603813", "#b29f94"),
        "size": (400, 400),
        "alt": "Portrait of Nigar Quliyeva",
        "credit": "Photo: The Caspian Herald",
    },
    {
        "key": "portrait-anna",
        "title": "Anna Müller",
        "shape": "portrait",
        "colors": ("#485563", "#29323c"),
        "size": (400, 400),
        "alt": "Portrait of Anna Müller",
        "credit": "Photo: courtesy of Anna Müller",
    },
]

AUTHORS = [
    {
        "key": "leyla",
        "login": "journalist",
        "name": "Leyla Məmmədova",
        "job_title": "staff journalist",
        "bio": "Leyla covers parliament, cities and the environment from Baku. Before joining "
        "the Herald she reported for regional radio in Gəncə and Lənkəran.",
        "twitter": "leyla_mammadova",
        "mastodon": "https://mastodon.social/@leyla_mammadova",
        "photo": "portrait-leyla",
    },
    {
        "key": "rashad",
        "login": "editor",
        "name": "Rəşad Həsənov",
        "job_title": "news editor",
        "bio": "Rəşad runs the Herald's news desk. He has edited reporting from the South "
        "Caucasus for fifteen years and answers readers' questions about corrections.",
        "twitter": "rashad_hasanov",
        "linkedin": "https://www.linkedin.com/in/rashad-hasanov-editor",
        "photo": "portrait-rashad",
    },
    {
        "key": "nigar",
        "name": "Nigar Quliyeva",
        "job_title": "energy and economy correspondent",
        "bio": "Nigar writes about oil, gas, power and the manat. She trained as an economist "
        "at Azerbaijan State University of Economics.",
        "twitter": "nigar_quliyeva",
        "linkedin": "https://www.linkedin.com/in/nigar-quliyeva",
        "photo": "portrait-nigar",
    },
    {
        "key": "tural",
        "name": "Tural Əliyev",
        "job_title": "South Caucasus correspondent, Tbilisi",
        "bio": "Tural reports on Georgia, Armenia and the region's trade routes from the "
        "Herald's Tbilisi office.",
        "twitter": "tural_aliyev_tbs",
        "website": "https://tural-aliyev.example.org",
    },
    {
        "key": "sevinc",
        "name": "Sevinc Rzayeva",
        "job_title": "culture writer",
        "bio": "Sevinc writes about music, crafts and the people who keep Azerbaijan's "
        "heritage alive, from Şəki silk to Baku jazz.",
        "twitter": "sevinc_rzayeva",
    },
    {
        "key": "elvin",
        "name": "Elvin Babayev",
        "job_title": "sports reporter and photographer",
        "bio": "Elvin covers football, wrestling and winter sports, and photographs most of "
        "the matches he writes about.",
        "twitter": "elvin_babayev",
        "mastodon": "https://mastodon.social/@elvinbabayev",
    },
    {
        "key": "anna",
        "name": "Anna Müller",
        "job_title": "guest contributor",
        "bio": "Anna Müller is a Berlin-based analyst of European energy policy. She writes "
        "for the Herald as a guest contributor; her views are her own.",
        "website": "https://anna-mueller.example.org",
        "linkedin": "https://www.linkedin.com/in/anna-mueller-energy",
        "photo": "portrait-anna",
    },
    {
        "key": "cna",
        "name": "Caspian News Agency",
        "is_organization": True,
        "job_title": "news agency",
        "bio": "Wire copy from the Caspian News Agency, edited by the Herald's news desk.",
        "twitter": "caspiannewsag",
        "website": "https://caspian-news-agency.example.org",
    },
    {
        "key": "studio",
        "name": "Herald Partner Studio",
        "is_organization": True,
        "job_title": "sponsored content team",
        "bio": "Paid content produced for advertisers. The newsroom has no part in it.",
    },
]

TAGS = [
    "Azerbaijan",
    "Georgia",
    "Armenia",
    "Kazakhstan",
    "Türkiye",
    "Iran",
    "Turkmenistan",
    "Baku",
    "Gəncə",
    "Naxçıvan",
    "South Caucasus",
    "Caspian Sea",
    "Central Asia",
    "Middle Corridor",
    "SOCAR",
    "OSCE",
    "European Union",
    "UNESCO",
    "World Bank",
    "UEFA",
    "Central Bank of Azerbaijan",
    "Climate",
    "Media freedom",
]

BANNER = "Earthquake shakes Şamaxı: no casualties reported so far"

PAGES = [
    (
        "/pages/about/",
        "About us",
        """The Caspian Herald is an independent English-language news site based in Baku. We
        cover Azerbaijan, the South Caucasus and the Caspian region for readers at home and
        abroad.

        ## Who we are

        Our newsroom has eleven journalists in Baku and a correspondent in Tbilisi. We are
        owned by our staff and funded by subscriptions and advertising, which is always
        labelled as such.

        ## What we publish

        - News, checked and sourced, from Baku and the regions
        - Analysis that explains why a story matters
        - Opinion, clearly labelled, from staff and guest writers
        - Interviews with the people behind the news""",
    ),
    (
        "/pages/editorial-standards/",
        "Editorial standards",
        """We report what we can verify. Every story is read by an editor before it is
        published, and every claim of fact has a source we can name to our editors.

        ## Our principles

        1. Accuracy comes before speed.
        2. We name our sources whenever we can, and explain why when we cannot.
        3. We give people we write about a fair chance to respond.
        4. Opinion, analysis and sponsored content are labelled as such.

        > A story that is late can still be right. A story that is wrong cannot be taken
        > back. — The Herald's first editor

        Advertisers never see stories before they are published and have no say in them.""",
    ),
    (
        "/pages/corrections-policy/",
        "Corrections policy",
        """When we get something wrong, we say so. Corrections are added to the story,
        dated, and listed on our corrections page.

        ## Kinds of notes

        - Correction: we published something that was wrong.
        - Clarification: what we published was accurate but could be misread.
        - Editor's note: context readers should know, such as a change to a story's framing.

        We do not silently change published stories. Small fixes of spelling and grammar are
        made without a note; anything that changes the meaning gets one.""",
    ),
    (
        "/pages/contact/",
        "Contact",
        """Write to the news desk at desk@caspianherald.example.org. To report an error,
        write to corrections@caspianherald.example.org and tell us which story and what is
        wrong.

        Our office: 28 Nizami Street, Baku AZ1000, Azərbaycan.

        We read every message, though we cannot answer them all.""",
    ),
]

STORIES = [
    # --- A live blog: coverage running, a dozen entries (one pinned, one key event) --------
    {
        "headline": "Live: Baku marathon day as it happens",
        "standfirst": "Road closures, results and scenes from the city's biggest race, "
        "updated through the day.",
        "section": "sport",
        "kind": "live",
        "state": "published",
        "hours": 4,
        "dateline": "BAKU",
        "photo": "baku-skyline",
        "bylines": [("tural", AUTHOR), ("elvin", PHOTOGRAPHS)],
        "tags": ["Baku"],
        "live_summary": "About 20,000 runners started at 8:00 from Freedom Square. The "
        "seaside boulevard is closed to traffic until 15:00; metro trains run every four "
        "minutes.\nThe men's race was won in a course record.",
        "body": """Our reporters follow the Baku marathon from the start line to the last
        finisher. The newest updates are at the top.""",
        # (minutes after the start of coverage, author key, headline, body, options)
        "entries": [
            (
                5,
                "tural",
                "How to follow the race",
                "Road closures and where to watch: the "
                "course runs along the boulevard twice. This post stays at the top.",
                {"is_pinned": True},
            ),
            (20, "tural", "", "The elite field lines up at Freedom Square under a clear sky.", {}),
            (30, "tural", "And they're off", "The starting horn sounds at 8:00 sharp.", {}),
            (
                45,
                "elvin",
                "",
                "Thousands of amateur runners pass the Maiden Tower.",
                {"photo": "baku-skyline"},
            ),
            (60, "tural", "", "Water stations report brisk business at kilometre 10.", {}),
            (
                75,
                "tural",
                "Halfway",
                "The leading group of six passes halfway in 1:03:40.",
                {"embed_url": "https://www.worldathletics.org/"},
            ),
            (90, "tural", "", "Spectators line the boulevard three deep near the pier.", {}),
            (105, "elvin", "", "A marching band plays outside the Philharmonic hall.", {}),
            (
                120,
                "tural",
                "Record pace",
                "The leader is 40 seconds inside the course record with five kilometres to go.",
                {},
            ),
            (
                130,
                "tural",
                "Course record",
                "Kenya's runner wins the men's race in 2:07:58, a course record by over a minute.",
                {"is_key_event": True},
            ),
            (140, "tural", "", "The women's winner crosses the line to loud cheers.", {}),
            (150, "tural", "", "Medical teams report only minor cases of exhaustion so far.", {}),
        ],
    },
    # --- Published, the last 48 hours ----------------------------------------------------
    {
        "headline": "Caspian states agree joint monitoring as the sea keeps falling",
        "standfirst": "The five littoral states will share water-level data from next spring, "
        "after a summer in which the shoreline near Baku retreated faster than forecast.",
        "section": "nation",
        "kind": "news",
        "state": "published",
        "hours": 2,
        "lead": True,
        "dateline": "BAKU",
        "photo": "caspian-shore",
        "bylines": [("leyla", AUTHOR), ("tural", REPORTING)],
        "tags": ["Caspian Sea", "Azerbaijan", "Kazakhstan", "Iran", "Climate"],
        "meta_description": "Azerbaijan, Kazakhstan, Iran, Russia and Turkmenistan will share "
        "Caspian water-level data as the sea falls faster than forecast.",
        "body": """Azerbaijan, Kazakhstan, Iran, Russia and Turkmenistan agreed on Tuesday to
        pool their measurements of the Caspian Sea's level, the first joint monitoring scheme
        since the sea began its steep decline more than a decade ago.

        The agreement, signed by deputy environment ministers in Baku, sets up a shared
        network of 40 gauging stations and a common database that scientists in all five
        countries will be able to read.

        > We have been measuring the same sea with five different rulers. From next spring
        > we will use one. — Fərid Novruzov, Azerbaijan's deputy minister of ecology

        [facts The Caspian Sea]
        - The world's largest inland body of water, shared by five states
        - About four-fifths of its water comes from the Volga
        - Its level has fallen by more than a metre since 2005

        ## A shoreline on the move

        Along the Absheron peninsula, the retreat is visible to anyone who walks the beach.
        Fishermen in Sumqayıt say their boats now sit on sand where there was water five
        years ago, and the port of Aktau in Kazakhstan has had to dredge its approach channel
        twice since 2022.

        [photo baku-skyline]

        !! Fishermen say their boats now sit on sand where there was water five years ago.

        Scientists attribute the decline to hotter summers, which increase evaporation, and
        to lower inflow from the Volga, which supplies about four-fifths of the sea's water.

        ## What the agreement covers

        - Daily water-level readings from every station, published within a week
        - Joint surveys of the northern shelf, where the sea is shallowest
        - A working group on the Volga's flow, meeting twice a year

        Environmental groups welcomed the deal but said it did not address water use
        upstream. Kazakhstan's delegation said a second agreement on fisheries would follow
        "within the year".

        [embed https://www.youtube.com/watch?v=aqz-KE-bpKQ]""",
    },
    {
        "headline": "Earthquake of magnitude 5.1 shakes Şamaxı; no casualties reported",
        "standfirst": "Buildings swayed in Şamaxı and residents of Baku felt the tremor. "
        "Emergency services say there are no reports of injuries.",
        "section": "society",
        "kind": "news",
        "state": "published",
        "hours": 0.7,
        "breaking": True,
        "dateline": "ŞAMAXI",
        "photo": "caucasus-peaks",
        "bylines": [("cna", AUTHOR), ("leyla", REPORTING)],
        "tags": ["Azerbaijan"],
        "body": """An earthquake of magnitude 5.1 struck near Şamaxı in central Azerbaijan on
        Wednesday afternoon, the Republican Seismic Survey Centre said. The tremor was felt
        in Baku, about 120 kilometres to the east.

        The Ministry of Emergency Situations said there were no reports of casualties. Teams
        were inspecting schools and the district hospital as a precaution.

        > The windows rattled for maybe ten seconds. People came out into the street, but
        > everyone was calm. — Aytən Quliyeva, a shopkeeper in Şamaxı

        Şamaxı lies in one of the most seismically active zones of the Caucasus and was
        largely destroyed by earthquakes in the nineteenth century. This story will be
        updated.""",
    },
    {
        "headline": "Parliament passes media law amendments after a six-hour debate",
        "standfirst": "The changes shorten the time outlets have to register with the media "
        "registry. Opposition deputies and press groups say they go too far.",
        "section": "politics",
        "kind": "news",
        "state": "published",
        "hours": 5,
        "dateline": "BAKU",
        "photo": "parliament",
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Azerbaijan", "Media freedom", "OSCE"],
        "body": """The Milli Məclis approved amendments to the law on media on Thursday by 88
        votes to 9, after a debate that ran late into the evening.

        The amendments require online outlets to register within 30 days of publishing,
        down from 90, and give the registry power to suspend registration for repeated
        breaches of the law.

        > Registration is not a licence. It simply tells readers who stands behind a
        > website. — Səbinə Kərimova, chair of the parliamentary committee on culture

        Opposition deputies said the rules would weigh most heavily on small regional sites.
        The OSCE's representative on freedom of the media said in a statement that she would
        "study the final text closely" and had asked to meet the committee.

        The amendments now go to the president for signature.""",
    },
    {
        "headline": "SOCAR signs deal for a 320-megawatt solar plant on the Absheron peninsula",
        "standfirst": "The state oil company's first large solar project is due to supply "
        "power to the grid in 2028.",
        "section": "energy",
        "kind": "news",
        "state": "published",
        "hours": 9,
        "dateline": "BAKU",
        "photo": "oil-platform",
        "bylines": [("nigar", AUTHOR)],
        "tags": ["SOCAR", "Azerbaijan", "Climate"],
        "corrections": [
            (
                "correction",
                "An earlier version of this story said the plant would produce 230 megawatts. "
                "Its planned capacity is 320 megawatts.",
            )
        ],
        "body": """SOCAR, Azerbaijan's state oil and gas company, signed an agreement on Monday
        to build a 320-megawatt solar plant on former oilfield land near Sumqayıt.

        The plant would be the company's largest renewable project and one of the biggest in
        the South Caucasus. Construction is due to begin next year, with the first power
        reaching the grid in 2028.

        ## From oil wells to panels

        The site, about 600 hectares, has been used for oil production since the 1930s and
        will need to be cleaned before construction. SOCAR said the clean-up would be paid
        for out of the project's budget.

        > Land that gave us oil for ninety years will now give us electricity without
        > burning anything. — Elçin Məmmədli, SOCAR's vice-president for new energy

        Azerbaijan has set a target of generating 30 per cent of its electricity from
        renewable sources by 2030, up from about 7 per cent today. Analysts say large solar
        and wind projects would free more gas for export.""",
    },
    {
        "headline": "Central bank holds its rate at 7.25% as inflation eases",
        "standfirst": "Prices rose 4.1% in the year to October, inside the bank's target "
        "range for the sixth month in a row.",
        "section": "business",
        "kind": "news",
        "state": "published",
        "hours": 14,
        "dateline": "BAKU",
        "photo": "market",
        "bylines": [("nigar", AUTHOR)],
        "tags": ["Central Bank of Azerbaijan", "Azerbaijan"],
        "body": """The Central Bank of Azerbaijan left its refinancing rate unchanged at 7.25
        per cent on Wednesday, saying inflation was "stable and within the target corridor".

        Consumer prices rose 4.1 per cent in the year to October, according to the State
        Statistical Committee, down from 4.6 per cent in September. Food prices, which weigh
        heavily in household budgets, rose by 3.8 per cent.

        The bank said it was watching three risks:

        - a fall in oil prices, which would reduce foreign-currency inflows
        - higher import prices from Russia and Türkiye
        - faster growth in consumer lending

        Economists had expected the decision. Most now see a cut early next year if oil
        prices hold.""",
    },
    {
        "headline": "Georgia's Black Sea ports race to keep up with Middle Corridor freight",
        "standfirst": "Container traffic through Poti and Batumi has doubled in two years. "
        "Rail links and customs are struggling to match it.",
        "section": "world",
        "kind": "analysis",
        "state": "published",
        "hours": 20,
        "dateline": "POTI",
        "bylines": [("tural", AUTHOR)],
        "tags": ["Georgia", "Middle Corridor", "South Caucasus", "Kazakhstan"],
        "body": """At the port of Poti, the queue of lorries waiting to enter the container
        terminal stretches back past the railway station. Two years ago it barely existed.

        Freight moving between China and Europe across Kazakhstan, the Caspian, Azerbaijan
        and Georgia, a route known as the Middle Corridor, has grown sharply since shippers
        began avoiding routes through Russia.

        ## Bottlenecks on land

        The ports themselves have added cranes and berths. The harder problem is getting
        goods to them. The single-track railway through the Rikoti pass limits how many
        trains can cross Georgia each day, and customs checks at the Azerbaijani border
        still take hours.

        > The sea part is easy now. It is the last 300 kilometres that cost us days.
        > — Giorgi Beridze, a freight forwarder in Tbilisi

        ## What would help

        1. Finishing the second track over the Rikoti pass, now due in 2027
        2. A single customs check for the Azerbaijani–Georgian border
        3. Digital documents accepted in all corridor countries

        None of these is quick. But traders say the route's advantage over the northern
        alternative will last only if the delays shrink.""",
    },
    {
        "headline": "Gəncə reopens its old caravanserai as a crafts market",
        "standfirst": "After four years of restoration the seventeenth-century building is "
        "home to weavers, potters and a tea house.",
        "section": "culture",
        "kind": "news",
        "state": "published",
        "hours": 26,
        "dateline": "GƏNCƏ",
        "photo": "ganja-square",
        "bylines": [("sevinc", AUTHOR)],
        "tags": ["Gəncə", "Azerbaijan", "UNESCO"],
        "body": """The caravanserai in the centre of Gəncə, where merchants on the road between
        Tabriz and Tiflis once rested their camels, opened its doors again on Saturday.

        Its 24 brick cells, arranged around a courtyard with a fountain, now house workshops
        for carpet weavers, copper smiths and potters. A tea house occupies the old stables.

        > We did not want a museum. We wanted the building to work for a living again.
        > — Nərmin Abbasova, the architect who led the restoration

        The restoration, paid for by the city and a cultural foundation, kept the original
        brick vaults and replaced only the timber roof. Local officials hope the building
        will support Gəncə's bid to add its historic centre to UNESCO's tentative list.""",
    },
    {
        "headline": "Neftçi edge Qarabağ in a stoppage-time Baku derby",
        "standfirst": "A header from 19-year-old Nihad Əhmədov settled a tense match in front "
        "of 28,000 fans.",
        "section": "sport",
        "kind": "news",
        "state": "published",
        "hours": 31,
        "dateline": "BAKU",
        "photo": "stadium",
        "bylines": [("elvin", AUTHOR), ("elvin", PHOTOGRAPHS)],
        "tags": ["Azerbaijan", "UEFA"],
        "body": """Neftçi beat Qarabağ 2-1 on Sunday night with the last touch of the game, a
        header from the teenage substitute Nihad Əhmədov in the fourth minute of stoppage
        time.

        Qarabağ had led through a first-half penalty and looked the stronger side for an
        hour. Neftçi's equaliser came from a corner in the 71st minute, and the home crowd
        sensed a comeback.

        > I just closed my eyes and jumped. I only knew it was in when the stadium exploded.
        > — Nihad Əhmədov

        The win lifts Neftçi to second in the Premier League, two points behind Qarabağ,
        who play Sabah on Wednesday before their European match in Prague.""",
    },
    {
        "headline": "Interview: 'The Caspian is a shared lung, and it is short of breath'",
        "standfirst": "Hydrologist Dr Zəhra Əliyeva has measured the sea for thirty years. "
        "She explains why it is falling, and what can still be done.",
        "section": "nation",
        "kind": "interview",
        "state": "published",
        "hours": 40,
        "dateline": "BAKU",
        "photo": "caspian-shore",
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Caspian Sea", "Climate", "Azerbaijan"],
        "body": """Dr Zəhra Əliyeva runs the Caspian hydrology laboratory at the Institute of
        Geography in Baku. We spoke in her office, where a chart of the sea's level since
        1900 covers an entire wall.

        ## How fast is the sea falling?

        About seven centimetres a year on average over the last decade, and faster in some
        summers. That does not sound like much, but the northern part of the sea is very
        shallow. Seven centimetres there can mean a kilometre of new beach.

        ## Is it climate change?

        Mostly, yes. Evaporation is up because summers are hotter, and the Volga brings less
        water. Dams and irrigation upstream play a role too.

        > The Caspian is a shared lung for five countries. At the moment it is short of
        > breath, and no country can fix that alone.

        ## What would you ask governments to do?

        1. Share data openly and quickly, which they have now agreed to do
        2. Plan ports and coastal towns for a lower sea, not for the sea we remember
        3. Protect the northern shelf, where the seals and sturgeon breed

        ## Are you optimistic?

        I am a scientist, so I am neither. But I am glad we are finally measuring together.""",
    },
    {
        "headline": "Europe's gas diplomacy needs more than pipelines",
        "standfirst": "Brussels wants more Caspian gas. It should also offer the region what "
        "it asks for in return, argues Anna Müller.",
        "section": "opinion",
        "kind": "opinion",
        "state": "published",
        "hours": 46,
        "photo": "portrait-anna",
        "bylines": [("anna", AUTHOR)],
        "tags": ["European Union", "Azerbaijan", "Middle Corridor"],
        "body": """When European ministers visit Baku they usually come with one question: how
        much more gas can you send us? It is a fair question. But it is not a strategy.

        Since 2022, Azerbaijan has become one of the European Union's most important
        suppliers of pipeline gas. Doubling those volumes, as the EU has said it wants, will
        need new investment in fields, compressors and pipes. Investors will want contracts
        that run for decades, at a time when Europe is promising to cut its gas use.

        ## A partnership, not a purchase

        Countries in the region ask for other things too: investment in power grids, help
        to export renewable electricity across the Black Sea, and easier visas for students
        and businesspeople. These requests rarely make it into the communiqués.

        > Energy security is not something one side buys from the other. It is built
        > together, or it is not built at all.

        Europe has leverage here, and it has money. It should use both to build links that
        will still matter when the gas flows start to decline.""",
    },
    # --- Published, older ----------------------------------------------------------------
    {
        "headline": "Baku metro's green line to open two new stations next year",
        "standfirst": "The extension will bring the metro to the fast-growing districts north "
        "of the airport road.",
        "section": "society",
        "state": "published",
        "hours": 72,
        "dateline": "BAKU",
        "photo": "baku-skyline",
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Baku", "Azerbaijan"],
        "body": """Two new stations on the Baku metro's green line will open in the second half
        of next year, the city's metro company said on Friday.

        The stations will serve the Xocəsən and Sulutəpə districts, where tens of thousands
        of new flats have been built in the last decade. Residents now rely on buses that
        crawl along the congested airport road.

        > It takes me an hour and a half to get to work in the centre. With the metro it
        > will be twenty minutes. — Rəhilə Kazımova, a teacher who lives in Xocəsən

        The metro company said tunnelling was complete and that track laying had begun. The
        extension is the first since 2016.""",
    },
    {
        "headline": "Kazakh grain exports through Baku's port double in a year",
        "standfirst": "Shipments across the Caspian are growing as traders look for routes "
        "to Türkiye and the Mediterranean.",
        "section": "business",
        "state": "published",
        "hours": 96,
        "dateline": "ALAT",
        "bylines": [("cna", AUTHOR), ("nigar", REPORTING)],
        "tags": ["Kazakhstan", "Caspian Sea", "Middle Corridor", "Türkiye"],
        "body": """The Port of Baku at Alat handled 1.2 million tonnes of Kazakh wheat in the
        first ten months of the year, twice as much as in the same period last year, the
        port's management said on Monday.

        Most of the grain arrives by ferry from Aktau and Kuryk and continues by rail to the
        Georgian ports of Poti and Batumi, and from there to Türkiye and the Middle East.

        Traders say the route is more expensive than shipping through the Black Sea from
        Russian ports, but more predictable. The port plans to add a second grain terminal
        by 2027.""",
    },
    {
        "headline": "Border commissions hold a fourth round of delimitation talks",
        "standfirst": "Azerbaijani and Armenian officials agreed on the next section of the "
        "border to be surveyed, according to a joint statement.",
        "section": "politics",
        "state": "published",
        "hours": 120,
        "dateline": "TBILISI",
        "bylines": [("tural", AUTHOR)],
        "tags": ["Armenia", "Azerbaijan", "South Caucasus"],
        "body": """Commissions from Azerbaijan and Armenia met in Tbilisi on Thursday for a
        fourth round of talks on marking their shared border, according to a joint statement
        issued afterwards.

        The statement said the two sides had agreed on the next section to be surveyed and
        on the maps to be used as a reference. It gave no timetable.

        Diplomats in Tbilisi described the atmosphere as "businesslike". The talks are
        technical, but each agreed kilometre is seen as a step towards a wider settlement.

        The commissions will meet again early next year.""",
    },
    {
        "headline": "Naxçıvan farmers turn to drip irrigation as summers get hotter",
        "standfirst": "A state programme pays half the cost. Farmers say the savings in water "
        "are even bigger than promised.",
        "section": "society",
        "state": "published",
        "hours": 144,
        "dateline": "NAXÇIVAN",
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Naxçıvan", "Climate", "Azerbaijan"],
        "body": """On Əli Həsənli's apricot farm outside Naxçıvan city, black plastic pipes now
        run along every row of trees. Until last year he flooded the orchard from a canal
        once a week.

        > I use less than half the water and the fruit is better. I should have done this
        > ten years ago. — Əli Həsənli

        About 2,000 farms in the exclave have installed drip irrigation under a programme
        that pays half the cost. Officials say water demand from the Araz river has fallen
        noticeably during the summer peak.

        Farmers still complain of one thing: the pipes need spare parts that take weeks to
        arrive from Baku.""",
    },
    {
        "headline": "A weekend on the Absheron coast: sea, saffron and sand dunes",
        "standfirst": "Sponsored: three days of beaches, village food and old fortresses, an "
        "hour from Baku.",
        "section": "culture",
        "kind": "sponsored",
        "sponsor": "Absheron Tourism Board",
        "state": "published",
        "hours": 168,
        "photo": "baku-skyline",
        "bylines": [("studio", AUTHOR)],
        "tags": ["Baku", "Azerbaijan"],
        "body": """This article is paid for by the Absheron Tourism Board. The Caspian Herald's
        newsroom was not involved in its production.

        The Absheron peninsula is best known for oil, but its villages hide fortresses,
        saffron fields and some of the quietest beaches on the Caspian.

        - Day one: the Mərdəkan fortress and a lunch of saffron plov
        - Day two: the beaches of Nardaran and a sunset walk on the dunes
        - Day three: the fire temple at Suraxanı and the burning hillside at Yanardağ

        Book your stay with any of the peninsula's guest houses and ask for the Absheron
        weekend pass.""",
    },
    {
        "headline": "Georgian parliament debates new broadcasting rules",
        "standfirst": "The bill would give the regulator new powers over online video. "
        "Broadcasters and opposition parties are divided.",
        "section": "world",
        "state": "published",
        "hours": 192,
        "dateline": "TBILISI",
        "bylines": [("tural", AUTHOR)],
        "tags": ["Georgia", "Media freedom", "European Union"],
        "body": """Georgia's parliament began debating a bill on Tuesday that would extend the
        powers of the national communications regulator to video published online.

        Supporters say the bill simply brings Georgian law into line with a European
        directive on audiovisual media. Critics say the regulator's new powers to fine
        outlets are too broad.

        > We support the European rules. We do not support using them as a cover for
        > something else. — Nino Kvaratskhelia, director of an independent television channel

        The European Union delegation in Tbilisi said it was following the debate. A second
        reading is expected next month.""",
    },
    {
        "headline": "Why the manat has held steady for eight years",
        "standfirst": "Oil money, a large sovereign fund and a cautious central bank explain "
        "the currency's calm. None of them is guaranteed to last.",
        "section": "business",
        "kind": "analysis",
        "state": "published",
        "hours": 216,
        "photo": "market",
        "bylines": [("nigar", AUTHOR), ("anna", REPORTING)],
        "tags": ["Central Bank of Azerbaijan", "Azerbaijan", "SOCAR"],
        "body": """Since 2017 the Azerbaijani manat has traded at 1.70 to the US dollar, almost
        without moving. For a currency that lost half its value in two devaluations in 2015,
        that is a remarkable record.

        ## Three pillars

        1. Oil and gas exports bring in far more foreign currency than the country spends
        2. The State Oil Fund holds assets worth more than the country's annual output
        3. The central bank sells dollars whenever demand rises, and says so openly

        ## The risks

        A long fall in oil prices would strain the first pillar; the second would buy time
        but not forever. Economists at local banks say a more flexible exchange rate would
        be safer in the long run, but few expect one soon.

        > Stability is popular. The question is whether we are using these quiet years to
        > prepare for the day oil matters less. — an economist at a Baku bank""",
    },
    {
        "headline": "Turkmen gas, Azerbaijani pipes: the trans-Caspian idea returns",
        "standfirst": "A 300-kilometre pipeline under the Caspian has been discussed for thirty "
        "years. European demand has revived it.",
        "section": "energy",
        "kind": "analysis",
        "state": "published",
        "hours": 240,
        "photo": "oil-platform",
        "bylines": [("nigar", AUTHOR)],
        "tags": ["Turkmenistan", "Caspian Sea", "European Union", "SOCAR"],
        "body": """Turkmenistan has some of the largest gas reserves in the world and almost no
        way to sell them to Europe. A pipeline under the Caspian to Azerbaijan would change
        that.

        The idea is not new. It has been studied, announced and shelved several times since
        the 1990s, held back by cost, by disputes over the seabed and by objections from
        other Caspian states.

        ## What has changed

        The 2018 convention on the Caspian's legal status settled some of the legal
        questions. European buyers are looking for gas that does not come from Russia. And
        a shorter first stage, linking existing offshore fields, would cost far less than
        the original plan.

        > It has always been a good idea on paper. The paper is now a little more
        > convincing. — a European energy official in Baku

        Nobody expects a decision this year. But engineers have been asked to update the
        studies, which is more than has happened for a decade.""",
    },
    {
        "headline": "Baku Jazz Festival returns with a week of free concerts",
        "standfirst": "Open-air stages on the boulevard and in the old city will host musicians "
        "from twelve countries.",
        "section": "culture",
        "state": "published",
        "hours": 264,
        "photo": "baku-skyline",
        "bylines": [("sevinc", AUTHOR)],
        "tags": ["Baku", "Azerbaijan"],
        "body": """The Baku Jazz Festival opens on Monday with a week of concerts, most of them
        free, on open-air stages along the seaside boulevard and in İçərişəhər, the walled
        old city.

        Musicians from twelve countries will play, but the festival's heart remains mugham
        jazz, the blend of Azerbaijani classical modes and improvisation pioneered in the
        1960s.

        > Jazz came to Baku through the port, like everything else. It stayed because it
        > sounded like home. — Tofiq Rəhimov, the festival's artistic director

        The closing concert, on Sunday at the Philharmonic, is the only one that needs a
        ticket.""",
    },
    {
        "headline": "Qəbələ ski season opens early after heavy November snow",
        "standfirst": "The resort's lifts start turning two weeks ahead of schedule.",
        "section": "sport",
        "state": "published",
        "hours": 288,
        "dateline": "QƏBƏLƏ",
        "photo": "caucasus-peaks",
        "bylines": [("elvin", AUTHOR), ("elvin", PHOTOGRAPHS)],
        "tags": ["Azerbaijan"],
        "body": """The Tufandağ resort above Qəbələ opened its slopes on Saturday, two weeks
        earlier than planned, after the heaviest November snowfall in the Greater Caucasus
        for a decade.

        Three of the resort's lifts are running, with the rest due to open by mid-December.
        Hotels in Qəbələ reported full bookings for the first weekend.

        > It is the first time I have skied here before December. The snow is perfect.
        > — Kamran Əlizadə, a ski instructor

        The resort has added a beginners' area and a night-skiing slope this year.""",
    },
    {
        "headline": "Our promise on corrections",
        "standfirst": "We will make mistakes. When we do, we will tell you, writes our news "
        "editor.",
        "section": "opinion",
        "kind": "opinion",
        "state": "published",
        "hours": 312,
        "photo": "portrait-rashad",
        "bylines": [("rashad", AUTHOR)],
        "tags": ["Media freedom"],
        "body": """Every newsroom makes mistakes. What distinguishes a good one is what it does
        next.

        From today, every correction we publish carries a date and a label, sits at the
        bottom of the story it corrects, and appears on a single page listing all our
        corrections, newest first. You can subscribe to that page as a feed.

        We distinguish three kinds of notes:

        - a correction, when we got a fact wrong
        - a clarification, when what we wrote was accurate but could mislead
        - an editor's note, when readers need context about how a story was made

        > Trust is not built by never being wrong. It is built by being honest about it.

        If you find an error, write to us. We read every message.""",
    },
    {
        "headline": "Iran and Azerbaijan resume talks on the Rasht–Astara rail link",
        "standfirst": "The missing 160-kilometre section is the last gap in a rail corridor "
        "from Russia to the Gulf.",
        "section": "world",
        "state": "published",
        "hours": 336,
        "dateline": "ASTARA",
        "bylines": [("cna", AUTHOR)],
        "tags": ["Iran", "Azerbaijan", "Middle Corridor"],
        "body": """Transport officials from Iran and Azerbaijan met in Astara on Tuesday to
        discuss financing for the Rasht–Astara railway, the last missing section of the
        International North–South Transport Corridor.

        The 160-kilometre line would connect Iran's rail network to Azerbaijan's at the
        border town of Astara, allowing trains to run from the Baltic to the Gulf.

        Officials said engineering studies were complete and that land acquisition had
        begun. Construction is expected to take at least four years.""",
    },
    {
        "headline": "World Bank raises its growth forecast for the South Caucasus",
        "standfirst": "Trade through the region and strong remittances are offsetting weaker "
        "oil output.",
        "section": "business",
        "state": "published",
        "hours": 360,
        "bylines": [("cna", AUTHOR), ("nigar", REPORTING)],
        "tags": ["World Bank", "South Caucasus", "Central Asia", "Azerbaijan"],
        "body": """The World Bank raised its forecast for economic growth in the South
        Caucasus this year to 3.9 per cent, from 3.2 per cent in the spring, citing strong
        trade flows through the region.

        Georgia and Armenia are expected to grow fastest, while Azerbaijan's growth is held
        back by declining oil production. The bank said non-oil sectors in Azerbaijan,
        including construction and tourism, were growing by more than 5 per cent.

        The report warned that growth depending on transit trade could reverse quickly if
        routes shifted again.""",
    },
    {
        "headline": "Sumqayıt chemical plant fined over discharge into the Caspian",
        "standfirst": "Inspectors found waste water with high levels of mercury at the "
        "plant's outfall. The company says it has fixed the leak.",
        "section": "society",
        "state": "published",
        "hours": 384,
        "dateline": "SUMQAYIT",
        "photo": "caspian-shore",
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Caspian Sea", "Azerbaijan", "Climate"],
        "corrections": [
            (
                "clarification",
                "This story has been clarified to say that the fine was imposed by the "
                "Ministry of Ecology, not by a court. The company may appeal it in court.",
            )
        ],
        "body": """A chemical plant in Sumqayıt has been fined 450,000 manats after inspectors
        found waste water with high levels of mercury flowing from its outfall into the
        Caspian Sea, the Ministry of Ecology said on Wednesday.

        The ministry said samples taken in September contained mercury at eleven times the
        permitted level. The plant, which makes chlorine and caustic soda, said a damaged
        filter had been replaced and that later samples were within limits.

        > People here have lived next to these factories for sixty years. We want to know
        > that somebody is checking. — Mələk Səfərova, who lives two kilometres from the plant

        Sumqayıt was once among the most polluted cities in the former Soviet Union. Several
        of its older plants have closed, but residents say the coast near the industrial
        zone is still unsafe for swimming.""",
    },
    {
        "headline": "Interview: the Quba weaver keeping her grandmother's patterns alive",
        "standfirst": "Gülnarə Əhmədova has woven carpets for forty years. She talks about "
        "colours, apprentices and why she refuses to use a computer.",
        "section": "culture",
        "kind": "interview",
        "state": "published",
        "hours": 408,
        "dateline": "QUBA",
        "bylines": [("sevinc", AUTHOR)],
        "tags": ["Azerbaijan", "UNESCO"],
        "body": """Azerbaijani carpet weaving is on UNESCO's list of the intangible heritage of
        humanity. In Quba, in the north, Gülnarə Əhmədova teaches it to twelve apprentices.

        ## When did you start weaving?

        When I was nine. My grandmother sat me next to her loom and gave me the easy rows.
        By fourteen I had made my first carpet on my own.

        ## What makes a Quba carpet a Quba carpet?

        The patterns, first of all, and the deep blue we get from the indigo. Every village
        had its own motifs. I know about thirty of them by heart.

        > A pattern is a sentence. If you change one knot, you change what it says.

        ## Why not design on a computer?

        Some young weavers do, and their carpets are beautiful. But I want my apprentices to
        carry the patterns in their hands, as I do. A computer can forget.""",
    },
    {
        "headline": "National team names a young squad for the Nations League",
        "standfirst": "Six uncapped players are called up for the matches against Sweden and "
        "Estonia.",
        "section": "sport",
        "state": "published",
        "hours": 432,
        "photo": "stadium",
        "bylines": [("elvin", AUTHOR)],
        "tags": ["Azerbaijan", "UEFA"],
        "body": """Azerbaijan's head coach named six uncapped players in a 25-man squad for next
        month's Nations League matches, the youngest squad the country has selected in a
        decade.

        Among them is Nihad Əhmədov, the 19-year-old Neftçi forward whose stoppage-time
        header decided last weekend's Baku derby.

        > They have earned it in the league. Now they have to earn it again in training.
        > — the head coach, speaking at the squad announcement

        Azerbaijan play Sweden away and Estonia at home.""",
    },
    {
        "headline": "Aktau and Baku ports sign a twinning agreement",
        "standfirst": "The deal promises shared digital paperwork for ferries crossing the "
        "Caspian.",
        "section": "world",
        "state": "published",
        "hours": 456,
        "dateline": "AKTAU",
        "bylines": [("tural", AUTHOR), ("cna", REPORTING)],
        "tags": ["Kazakhstan", "Azerbaijan", "Caspian Sea", "Middle Corridor"],
        "body": """The ports of Aktau in Kazakhstan and Baku in Azerbaijan signed a twinning
        agreement on Friday, committing to a single electronic system for cargo documents on
        ferries crossing the Caspian.

        Freight companies say paperwork adds at least a day to most crossings. The two ports
        plan to test the shared system on three ferry lines from the spring.

        The agreement also covers training for port staff and joint planning for low water
        levels, which have already forced Aktau to dredge its channel.""",
    },
    {
        "headline": "Teachers' pay rise of 12% takes effect in January",
        "standfirst": "The increase covers about 160,000 teachers in state schools.",
        "section": "society",
        "state": "published",
        "hours": 480,
        "dateline": "BAKU",
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Azerbaijan"],
        "body": """Teachers in Azerbaijan's state schools will receive a 12 per cent pay rise
        from January, the Ministry of Science and Education said on Tuesday.

        The increase applies to about 160,000 teachers and is the second in three years.
        Teachers who pass a new certification exam will receive a further supplement.

        > It helps, but rents in Baku have risen faster. — Samirə Əsgərova, a mathematics
        > teacher in the Nəsimi district

        The ministry said the rise would cost about 180 million manats a year.""",
    },
    {
        "headline": "The Caspian needs a treaty for its fish, not only for its seabed",
        "standfirst": "Sturgeon stocks have collapsed while governments argue about pipelines, "
        "writes Tural Əliyev.",
        "section": "opinion",
        "kind": "opinion",
        "state": "published",
        "hours": 504,
        "bylines": [("tural", AUTHOR)],
        "tags": ["Caspian Sea", "Iran", "Kazakhstan", "Turkmenistan"],
        "body": """The five Caspian states have spent thirty years dividing the sea's seabed
        and the oil beneath it. They have spent far less time on what lives in its water.

        The Caspian was once home to nine-tenths of the world's wild sturgeon. Poaching,
        dams and pollution have brought several species close to extinction.

        A binding fisheries treaty, with shared quotas and joint patrols, would not be hard
        to draft. It would be hard to enforce. That is no reason not to try.

        > A sea is not only a surface to be divided. It is something alive.""",
    },
    {
        "headline": "Who owns the Caspian's new shoreline?",
        "standfirst": "As the sea retreats, kilometres of new land are appearing. Nobody is "
        "quite sure whose it is.",
        "section": "nation",
        "kind": "analysis",
        "state": "published",
        "hours": 528,
        "dateline": "BAKU",
        "photo": "caspian-shore",
        "bylines": [("leyla", AUTHOR), ("tural", AUTHOR)],
        "tags": ["Caspian Sea", "Azerbaijan", "Kazakhstan"],
        "body": """When the sea falls, land appears. Along Azerbaijan's northern coast, some
        plots have gained a hundred metres of beach in a decade. The question of who owns it
        is turning into a legal puzzle.

        ## What the law says

        Under Azerbaijani law, the coastal strip belongs to the state. But the law defines
        the strip from a line drawn when the sea was higher, and that line now lies inland.

        ## Who is building

        Developers have started to fence off new beach near Nabran and Novxanı. Residents
        say they are losing access to the sea.

        > The sea did not ask anyone's permission to leave. Neither should the people who
        > want to reach it. — Orxan Məlikov, a lawyer who represents residents

        Kazakhstan faces the same problem on a much larger scale in the shallow north,
        where the shoreline has moved by kilometres.""",
    },
    # --- Withdrawn -----------------------------------------------------------------------
    {
        "headline": "Deputy minister to resign over tender dispute, sources say",
        "standfirst": "Two officials said the resignation would be announced this week.",
        "section": "politics",
        "state": "withdrawn",
        "hours": 30,
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Azerbaijan"],
        "note": "Withdrawn: the ministry denied the report and our sources could not confirm "
        "it on the record. We are continuing to report.",
        "body": """A deputy minister is expected to resign this week over a dispute about a
        road-building tender, two officials with knowledge of the matter said.

        The officials, who asked not to be named because they were not authorised to speak,
        said the resignation would be announced after a cabinet meeting.""",
    },
    # --- Scheduled -----------------------------------------------------------------------
    {
        "headline": "Budget 2027: what the spending plan means for households",
        "standfirst": "Pensions, fuel subsidies and the minimum wage: the numbers that matter "
        "in the government's draft budget.",
        "section": "business",
        "kind": "analysis",
        "state": "scheduled",
        "hours": 10,
        "photo": "market",
        "bylines": [("nigar", AUTHOR)],
        "tags": ["Azerbaijan", "Central Bank of Azerbaijan"],
        "body": """The government's draft budget for 2027, sent to parliament on Monday, is the
        largest in the country's history. Here is what it means for households.

        - Pensions rise by 9 per cent from January
        - The minimum wage goes up to 400 manats a month
        - Fuel subsidies stay at this year's level

        The budget assumes an oil price of 65 dollars a barrel, a cautious figure that leaves
        room for extra spending if prices stay higher.""",
    },
    {
        "headline": "The last lighthouse keepers of the Absheron coast",
        "standfirst": "Automation has reached almost every lighthouse on the Caspian. On Pirallahı "
        "island, one family still climbs the tower every night.",
        "section": "culture",
        "state": "scheduled",
        "hours": 36,
        "photo": "caspian-shore",
        "bylines": [("sevinc", AUTHOR), ("elvin", PHOTOGRAPHS)],
        "tags": ["Caspian Sea", "Azerbaijan"],
        "body": """The lighthouse on Pirallahı island has been kept by the Vəliyev family for
        three generations. Every evening at dusk, Mübariz Vəliyev climbs the 112 steps to
        check the lamp.

        > The light switches itself on now. But someone has to make sure it does.

        This is a weekend long read, published on Saturday morning.""",
    },
    # --- In review -----------------------------------------------------------------------
    {
        "headline": "Baku's new bus lanes cut commute times, city says",
        "standfirst": "Journeys on the busiest routes are up to a quarter faster since the "
        "lanes opened in September.",
        "section": "society",
        "state": "review",
        "hours": 3,
        "dateline": "BAKU",
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Baku"],
        "body": """Buses on Baku's busiest routes are running up to 25 per cent faster since
        dedicated lanes opened on four main avenues in September, the city's transport agency
        said.

        Drivers have complained about narrower lanes for cars. The agency says it will add
        lanes on two more avenues next year.""",
    },
    {
        "headline": "Georgian wine exports to China reach a record",
        "standfirst": "Shipments rose by a third this year, led by the semi-sweet reds that "
        "Chinese buyers favour.",
        "section": "world",
        "state": "review",
        "hours": 6,
        "dateline": "TBILISI",
        "bylines": [("tural", AUTHOR)],
        "tags": ["Georgia"],
        "body": """Georgia exported a record 12 million bottles of wine to China in the first
        ten months of the year, according to the National Wine Agency.

        Semi-sweet reds such as Kindzmarauli made up most of the shipments. Producers in
        Kakheti say Chinese demand has helped them through a weaker year in Russia.""",
    },
    # --- Returned ------------------------------------------------------------------------
    {
        "headline": "Flood defences in Lənkəran fall behind schedule",
        "standfirst": "Work on the embankment was due to finish before the autumn rains.",
        "section": "society",
        "state": "returned",
        "hours": 8,
        "dateline": "LƏNKƏRAN",
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Azerbaijan", "Climate"],
        "note": "Please get a response from the district executive office and add the budget "
        "figure from the 2024 tender. The second paragraph needs a source.",
        "body": """Work on a new flood embankment along the Lənkəran river is months behind
        schedule, leaving low-lying neighbourhoods exposed as the autumn rains begin.

        Residents say the contractor left the site in the summer.""",
    },
    {
        "headline": "Stadium naming-rights deal draws criticism from fans",
        "standfirst": "Supporters' groups say the new name erases the club's history.",
        "section": "sport",
        "state": "returned",
        "hours": 12,
        "bylines": [("elvin", AUTHOR)],
        "tags": ["Azerbaijan"],
        "note": "The sponsorship figure needs a second source. Cut the second quote: it repeats "
        "the first.",
        "body": """A naming-rights deal for one of Baku's football stadiums has drawn protests
        from fans, who say the new name erases decades of club history.

        > This is where my father took me to my first match. — a supporter

        > The name is part of who we are. — another supporter""",
    },
    # --- Drafts --------------------------------------------------------------------------
    {
        "headline": "Notes from Şəki: the silk road town getting ready for tourists",
        "standfirst": "Guest houses are multiplying in the old town. Not everyone is pleased.",
        "section": "culture",
        "state": "draft",
        "hours": 20,
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Azerbaijan", "UNESCO"],
        "body": """Şəki's old town, a UNESCO World Heritage site since 2019, has more guest
        houses than ever.

        TODO: interview the mayor's office; check visitor numbers for this year.""",
    },
    {
        "headline": "Caspian seal count shows a worrying decline",
        "standfirst": "Aerial surveys found fewer pups on the northern ice than in any year "
        "on record.",
        "section": "nation",
        "state": "draft",
        "hours": 4,
        "bylines": [("leyla", AUTHOR)],
        "tags": ["Caspian Sea", "Kazakhstan"],
        "body": """Scientists counting Caspian seals from the air last winter found fewer pups
        than in any survey since counts began.""",
    },
    {
        "headline": "Preview: the changes to the Baku street circuit",
        "standfirst": "A faster final sector and a new pit lane entry.",
        "section": "sport",
        "state": "draft",
        "hours": 2,
        "bylines": [("elvin", AUTHOR)],
        "tags": ["Baku"],
        "body": """Organisers have published the revised layout of the Baku street circuit.""",
    },
]
