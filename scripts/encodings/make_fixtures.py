#!/usr/bin/env python3
"""Writes the encoding fixtures (Tests/Fixtures/encodings/): small CSV files in each encoding and
language a partner sends, and manifest.tsv (file, encoding it is written in, what it tests).
Run at development time only:  python3 scripts/encodings/make_fixtures.py
"""
import os, random, unicodedata

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'Tests', 'Fixtures', 'encodings')

DATA = {
    'ru': ('Имя;Город;Сумма', ['Иван Петров', 'Мария Смирнова', 'Алексей Кузнецов', 'Ольга Попова', 'Дмитрий Соколов', 'Елена Лебедева',
            'Сергей Козлов', 'Наталья Новикова', 'Андрей Морозов', 'Татьяна Волкова'],
           ['Москва', 'Санкт-Петербург', 'Новосибирск', 'Екатеринбург', 'Казань', 'Нижний Новгород', 'Челябинск', 'Самара', 'Омск', 'Ростов-на-Дону']),
    'uk': ("Ім'я;Місто;Сума", ['Олександр Шевченко', 'Іванна Коваленко', 'Андрій Бондаренко', 'Юлія Ткаченко', 'Євген Кравченко', 'Ганна Олійник',
            'Богдан Мельник', 'Ірина Лисенко', 'Ґрета Їжакевич'],
           ['Київ', 'Харків', 'Одеса', 'Дніпро', 'Львів', 'Запоріжжя', 'Вінниця', 'Житомир', 'Чернігів', 'Івано-Франківськ']),
    'bg': ('Име;Град;Сума', ['Георги Иванов', 'Мария Петрова', 'Димитър Георгиев', 'Йордан Стоянов', 'Цветелина Ангелова', 'Румен Христов'],
           ['София', 'Пловдив', 'Варна', 'Бургас', 'Русе', 'Стара Загора', 'Плевен', 'Сливен']),
    'pl': ('Imię;Miasto;Kwota', ['Łukasz Wiśniewski', 'Małgorzata Wójcik', 'Paweł Kamiński', 'Agnieszka Lewandowska', 'Zbigniew Zieliński',
            'Katarzyna Szymańska', 'Grzegorz Woźniak', 'Żaneta Dąbrowska', 'Jędrzej Kozłowski', 'Ścibor Jabłoński'],
           ['Warszawa', 'Kraków', 'Łódź', 'Wrocław', 'Poznań', 'Gdańsk', 'Szczecin', 'Bydgoszcz', 'Białystok', 'Częstochowa']),
    'cs': ('Jméno;Město;Částka', ['Jiří Novák', 'Petra Svobodová', 'Tomáš Dvořák', 'Lucie Černá', 'Martin Procházka', 'Kateřina Kučerová',
            'Ondřej Veselý', 'Zuzana Horáková', 'Šárka Němcová', 'Ťopka Růžičková'],
           ['Praha', 'Brno', 'Ostrava', 'Plzeň', 'Liberec', 'Olomouc', 'České Budějovice', 'Hradec Králové', 'Ústí nad Labem', 'Pardubice']),
    'sk': ('Meno;Mesto;Suma', ['Ľubomír Kováč', 'Zuzana Šťastná', 'Ján Hrušovský', 'Mária Ďurišová', 'Peter Dôležitý', 'Ľudmila Žiaková'],
           ['Bratislava', 'Košice', 'Prešov', 'Žilina', 'Nitra', 'Banská Bystrica', 'Trnava', 'Trenčín']),
    'hu': ('Név;Város;Összeg', ['Nagy László', 'Kovács Éva', 'Tóth Gábor', 'Szabó Zsófia', 'Horváth Péter', 'Kiss Erzsébet', 'Molnár Áron',
            'Varga Ildikó', 'Fehér Ödön', 'Kőszegi Ünige'],
           ['Budapest', 'Debrecen', 'Szeged', 'Miskolc', 'Pécs', 'Győr', 'Nyíregyháza', 'Kecskemét', 'Székesfehérvár', 'Hódmezővásárhely']),
    'hr': ('Ime;Grad;Iznos', ['Ivan Horvat', 'Ana Kovačević', 'Marko Babić', 'Petra Marić', 'Željko Jurić', 'Đurđica Novak', 'Tomislav Šarić'],
           ['Zagreb', 'Split', 'Rijeka', 'Osijek', 'Zadar', 'Šibenik', 'Čakovec', 'Požega']),
    'ro': ('Nume;Oraş;Sumă', ['Ştefan Popescu', 'Ioana Ţurcanu', 'Mihai Dumitrescu', 'Andreea Stănescu', 'Răzvan Ionescu', 'Cătălina Bălan'],
           ['Bucureşti', 'Cluj-Napoca', 'Timişoara', 'Iaşi', 'Constanţa', 'Braşov', 'Piteşti', 'Târgu Mureş']),
    'el': ('Όνομα;Πόλη;Ποσό', ['Γιώργος Παπαδόπουλος', 'Μαρία Οικονόμου', 'Νίκος Γεωργίου', 'Ελένη Δημητρίου', 'Άννα Αθανασίου',
            'Κώστας Βασιλείου', 'Δήμητρα Ιωάννου'],
           ['Αθήνα', 'Θεσσαλονίκη', 'Πάτρα', 'Ηράκλειο', 'Λάρισα', 'Βόλος', 'Ιωάννινα', 'Άρτα']),
    'tr': ('Ad;Şehir;Tutar', ['Ahmet Yılmaz', 'Ayşe Kaya', 'Mehmet Demir', 'Fatma Şahin', 'Mustafa Çelik', 'Emine Yıldız', 'Ali Öztürk',
            'Zeynep Aydın', 'Hüseyin Arslan', 'Gülşen Doğan'],
           ['İstanbul', 'Ankara', 'İzmir', 'Bursa', 'Antalya', 'Eskişehir', 'Diyarbakır', 'Şanlıurfa', 'Muğla', 'Kahramanmaraş']),
    'lt': ('Vardas;Miestas;Suma', ['Jonas Kazlauskas', 'Ona Petrauskienė', 'Tomas Žukauskas', 'Rūta Jankauskaitė', 'Mindaugas Stankevičius',
            'Giedrė Vasiliauskienė', 'Šarūnas Butkus'],
           ['Vilnius', 'Kaunas', 'Klaipėda', 'Šiauliai', 'Panevėžys', 'Alytus', 'Marijampolė', 'Utena']),
    'lv': ('Vārds;Pilsēta;Summa', ['Jānis Bērziņš', 'Anna Kalniņa', 'Pēteris Ozoliņš', 'Līga Liepiņa', 'Andris Krūmiņš', 'Ģirts Šķēle'],
           ['Rīga', 'Daugavpils', 'Liepāja', 'Jelgava', 'Jūrmala', 'Ventspils', 'Rēzekne']),
    'et': ('Nimi;Linn;Summa', ['Jüri Tamm', 'Mari Saar', 'Andres Sepp', 'Kärt Mägi', 'Tõnu Kask', 'Õnne Pärn'],
           ['Tallinn', 'Tartu', 'Narva', 'Pärnu', 'Viljandi', 'Võru', 'Kohtla-Järve']),
    'fr': ('Nom;Ville;Montant', ['François Lefèvre', 'Hélène Dubois', 'Jérôme Girard', 'Cécile Lambert', 'Noël Fournier', 'Bérénice Mercier',
            'Zoë Rousseau', 'Gaëlle Bonnet', 'Loïc Lemaître', 'Ève Faure'],
           ['Besançon', 'Orléans', 'Nîmes', 'Saint-Étienne', 'Évry', 'Châteauroux', 'Créteil', 'Angoulême', 'Aix-en-Provence', 'Béziers']),
    'fr15': ('Nom;Ville;Montant', ['Œdipe Lefèvre', 'Hélène Sœur', 'Jérôme Girard', 'Cécile Lambert', 'Noël Fournier'],
           ['Besançon', 'Orléans', 'Nîmes', 'Saint-Étienne', 'Cœuvres']),
    'de': ('Name;Stadt;Betrag', ['Jürgen Müller', 'Günther Schäfer', 'Käthe Weiß', 'Björn Schröder', 'Uwe Köhler', 'Grete Groß', 'Jörg Lüdecke'],
           ['München', 'Köln', 'Düsseldorf', 'Nürnberg', 'Lübeck', 'Mönchengladbach', 'Görlitz', 'Würzburg', 'Saarbrücken']),
    'es': ('Nombre;Ciudad;Importe', ['José Martínez', 'María Fernández', 'Ángel Sánchez', 'Begoña Muñoz', 'Iñaki Ibáñez', 'Lucía Gómez'],
           ['Málaga', 'Córdoba', 'Cádiz', 'León', 'Logroño', 'Alcalá de Henares', 'Cáceres', 'Jaén']),
    'pt': ('Nome;Cidade;Valor', ['João Conceição', 'Inês Gonçalves', 'Sebastião Araújo', 'Conceição Magalhães', 'Estêvão Simões'],
           ['São Paulo', 'Brasília', 'Goiânia', 'Belém', 'Maceió', 'Florianópolis', 'Ribeirão Preto']),
    'sv': ('Namn;Stad;Belopp', ['Åsa Lindström', 'Björn Ångström', 'Märta Öberg', 'Göran Ekström', 'Sölve Nordén'],
           ['Göteborg', 'Malmö', 'Västerås', 'Örebro', 'Linköping', 'Jönköping', 'Umeå']),
    'vi': ('Tên;Thành phố;Số tiền', ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Hoàng Cường', 'Phạm Thu Hằng', 'Đặng Quốc Việt', 'Vũ Ngọc Ánh'],
           ['Hà Nội', 'Hồ Chí Minh', 'Đà Nẵng', 'Hải Phòng', 'Cần Thơ', 'Huế', 'Nha Trang']),
    'he': ('שם;עיר;סכום', ['דוד כהן', 'שרה לוי', 'משה מזרחי', 'רחל פרץ', 'יוסף ביטון', 'מרים אברהם'],
           ['ירושלים', 'תל אביב', 'חיפה', 'באר שבע', 'אשדוד', 'נתניה']),
    'ar': ('الاسم;المدينة;المبلغ', ['محمد أحمد', 'فاطمة علي', 'عبد الله حسن', 'مريم خالد', 'يوسف إبراهيم'],
           ['القاهرة', 'الرياض', 'دبي', 'عمان', 'بيروت', 'الدار البيضاء']),
    'ja': ('氏名,都市,金額,メモ', ['佐藤太郎', '鈴木花子', '高橋健一', '田中美咲', '渡辺翔太', '伊藤さくら', '山本大輔', '中村あおい'],
           ['東京', '大阪', '名古屋', '札幌', '福岡', '横浜', '神戸', '京都', '仙台', '広島']),
    'ja-kanji': ('氏名,都市,金額', ['佐藤太郎', '鈴木花子', '高橋健一', '田中美咲', '渡辺翔太', '山本大輔'],
           ['東京', '大阪', '名古屋', '札幌', '福岡', '横浜']),
    'zh-Hans': ('姓名,城市,金额,备注', ['王伟', '李娜', '张敏', '刘洋', '陈静', '杨磊', '赵丽', '黄强'],
           ['北京', '上海', '广州', '深圳', '成都', '杭州', '武汉', '西安', '南京', '重庆']),
    'zh-Hans-ext': ('姓名,城市,金额,备注', ['王伟', '李娜', '张敏', '刘𠮷', '陈静', '杨磊'],
           ['北京', '上海', '广州', '深圳', '成都', '杭州']),
    'zh-Hant': ('姓名,城市,金額,備註', ['陳志明', '林淑芬', '黃建國', '張雅婷', '李家豪', '王美玲'],
           ['台北', '高雄', '台中', '台南', '新竹', '基隆', '桃園', '嘉義']),
    'ko': ('이름,도시,금액,비고', ['김민준', '이서연', '박지훈', '최수빈', '정예준', '강하은'],
           ['서울', '부산', '인천', '대구', '대전', '광주', '울산', '수원']),
}
NOTES = {
    'ja': ['ありがとうございます', '至急対応', '確認済み', '請求書送付済み', 'お問い合わせ'],
    'zh-Hans': ['已付款', '待确认', '发票已开', '请尽快处理'],
    'zh-Hans-ext': ['已付款', '待确认'],
    'zh-Hant': ['已付款', '待確認', '發票已開立', '請儘快處理'],
    'ko': ['결제 완료', '확인 필요', '배송 준비 중', '감사합니다'],
}

# (language, encoding as Intake names it, Python codec)
SETS = [
    ('ru', 'windows-1251', 'cp1251'), ('ru', 'koi8-r', 'koi8_r'), ('ru', 'ibm866', 'cp866'), ('ru', 'iso-8859-5', 'iso8859_5'),
    ('uk', 'windows-1251', 'cp1251'), ('uk', 'koi8-u', 'koi8_u'), ('bg', 'windows-1251', 'cp1251'),
    ('pl', 'windows-1250', 'cp1250'), ('pl', 'iso-8859-2', 'iso8859_2'), ('cs', 'windows-1250', 'cp1250'), ('cs', 'iso-8859-2', 'iso8859_2'),
    ('sk', 'windows-1250', 'cp1250'), ('hu', 'windows-1250', 'cp1250'), ('hr', 'windows-1250', 'cp1250'), ('ro', 'windows-1250', 'cp1250'),
    ('el', 'windows-1253', 'cp1253'), ('el', 'iso-8859-7', 'iso8859_7'), ('tr', 'windows-1254', 'cp1254'), ('tr', 'iso-8859-9', 'iso8859_9'),
    ('lt', 'windows-1257', 'cp1257'), ('lt', 'iso-8859-13', 'iso8859_13'), ('lv', 'windows-1257', 'cp1257'), ('et', 'iso-8859-15', 'iso8859_15'),
    ('fr', 'windows-1252', 'cp1252'), ('fr', 'macintosh', 'mac_roman'), ('fr', 'ibm850', 'cp850'), ('fr15', 'iso-8859-15', 'iso8859_15'),
    ('de', 'windows-1252', 'cp1252'), ('de', 'ibm437', 'cp437'), ('de', 'macintosh', 'mac_roman'), ('es', 'iso-8859-1', 'latin_1'),
    ('pt', 'windows-1252', 'cp1252'), ('sv', 'windows-1252', 'cp1252'), ('vi', 'windows-1258', 'cp1258'), ('he', 'windows-1255', 'cp1255'),
    ('ar', 'windows-1256', 'cp1256'),
    ('ja', 'shift_jis', 'cp932'), ('ja', 'euc-jp', 'euc_jp'), ('ja-kanji', 'shift_jis', 'cp932'), ('ja-kanji', 'euc-jp', 'euc_jp'),
    ('zh-Hans', 'gbk', 'gbk'), ('zh-Hans-ext', 'gb18030', 'gb18030'), ('zh-Hant', 'big5', 'big5'), ('ko', 'euc-kr', 'euc_kr'),
    ('ru', 'utf-16le', 'utf-16-le'), ('ja', 'utf-16be', 'utf-16-be'), ('de', 'utf-16le', 'utf-16-le'), ('ko', 'utf-32le', 'utf-32-le'),
]

def to_1258(text):
    out = []
    for ch in unicodedata.normalize('NFC', text):
        try:
            ch.encode('cp1258'); out.append(ch); continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize('NFD', ch)
        tones = ''.join(c for c in d if c in '\u0300\u0301\u0303\u0309\u0323')
        out.append(unicodedata.normalize('NFC', ''.join(c for c in d if c not in tones)) + tones)
    return ''.join(out)

def rows(lang, count, rnd):
    header, names, cities = DATA[lang]
    sep = ',' if ',' in header else ';'
    out = [header]
    for i in range(count):
        row = [names[i % len(names)], cities[(i * 7 + 3) % len(cities)], '%d.%02d' % (rnd.randint(1, 9999), rnd.randint(0, 99))]
        if lang in NOTES:
            row.append(NOTES[lang][(i * 3) % len(NOTES[lang])])
        out.append(sep.join(row))
    return out

def sparse(lang, count, at, rnd):
    _, names, cities = DATA[lang]
    first = ['John', 'Mary', 'Peter', 'Anna', 'Paul', 'Linda', 'Mark', 'Susan']
    last = ['Smith', 'Brown', 'Taylor', 'Wilson', 'Clark', 'Lewis', 'Walker', 'Young']
    out = ['Name;City;Amount']
    for i in range(count):
        if i == at:
            out.append('%s;%s;%d.%02d' % (names[0], cities[1], rnd.randint(1, 9999), rnd.randint(0, 99)))
        else:
            out.append('%s %s;Springfield;%d.%02d' % (first[i % 8], last[(i // 8) % 8], rnd.randint(1, 9999), rnd.randint(0, 99)))
    return out

def write(name, lines, codec, manifest, encoding, what):
    text = '\r\n'.join(lines) + '\r\n'
    if codec == 'cp1258':
        text = to_1258(text)
    data = text.encode(codec)
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    manifest.append('%s\t%s\t%s' % (name, encoding, what))

def main():
    os.makedirs(OUT, exist_ok=True)
    rnd = random.Random(22)
    manifest = []
    for lang, encoding, codec in SETS:
        base = '%s-%s' % (lang, encoding)
        write(base + '-short.csv', rows(lang, 5, rnd), codec, manifest, encoding, 'short')
        if not encoding.startswith('utf-'):
            write(base + '-long.csv', rows(lang, 100, rnd), codec, manifest, encoding, 'long')
            # Sparse files (one name thousands of rows in) are made by the tests from these.
    with open(os.path.join(OUT, 'manifest.tsv'), 'w') as f:
        f.write('# file\tencoding it is written in\twhat it tests\n' + '\n'.join(manifest) + '\n')
    print(len(manifest), 'files')

main()
