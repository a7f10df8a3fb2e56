"""Value pools for demo data: built once per load with Faker('ja_JP') plus small reference tables.

Faker is far too slow to call per row at a million rows, so the generator draws from these pools with
its own seeded ``random.Random``. Every stored text is pre-normalized here exactly as the services
would store it (kana through ``to_katakana``, company names through ``display_company_name``, search
keys through ``fold_for_search``), so demo rows are indistinguishable from rows typed into the UI.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from faker import Faker

from kizuna.core.normalize import display_company_name, fold_for_search, normalize_text, to_katakana

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Name:
    """A family or given name as stored (kanji, katakana reading), with romaji and search keys."""

    kanji: str
    kana: str
    romaji: str
    fold_kanji: str
    fold_kana: str


@dataclass(frozen=True, slots=True)
class City:
    prefecture: str
    city: str
    postal3: str
    area_code: str  # national trunk prefix included: "03", "011", "0776"


class Dice:
    """Fast draws from a seeded ``random.Random``.

    ``randint``/``choice``/``choices`` are pure Python and cost 0.3–2 µs each; at ~60 draws per
    contact they dominated the load. These make one C-level ``random()`` call. Weighted draws use
    :func:`bag` (each item repeated by its weight) and ``pick``.
    """

    __slots__ = ("rng", "random")

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.random = self.rng.random

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def index(self, length: int) -> int:
        """A position in a sequence of ``length`` items."""
        return int(self.random() * length)

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high], both included."""
        return low + int(self.random() * (high - low + 1))

    def chance(self, probability: float) -> bool:
        return self.random() < probability


def bag(items: Sequence[T], weights: Sequence[float], *, scale: int = 1) -> tuple[T, ...]:
    """``items`` repeated by weight, for weighted ``Dice.pick``: bag("ab", (3, 1)) -> ("a", "a", "a", "b")."""
    return tuple(
        item for item, weight in zip(items, weights, strict=True) for _ in range(round(weight * scale))
    )


@dataclass(frozen=True, slots=True)
class Pools:
    family_names: tuple[Name, ...]
    given_names: tuple[Name, ...]
    cities: tuple[City, ...]  # weighted: a city appears in proportion to its prefecture's weight
    towns: tuple[str, ...]
    buildings: tuple[str, ...]


# Faker ja_JP knows 50 family and 51 given names; these widen the mix so that a million contacts do
# not collapse onto a few thousand names (which would drown duplicate detection in false positives).
EXTRA_FAMILY_NAMES: Final[tuple[tuple[str, str, str], ...]] = (
    ("小野", "オノ", "Ono"), ("田村", "タムラ", "Tamura"), ("竹内", "タケウチ", "Takeuchi"),
    ("金子", "カネコ", "Kaneko"), ("和田", "ワダ", "Wada"), ("中山", "ナカヤマ", "Nakayama"),
    ("石田", "イシダ", "Ishida"), ("上田", "ウエダ", "Ueda"), ("森田", "モリタ", "Morita"),
    ("原", "ハラ", "Hara"), ("柴田", "シバタ", "Shibata"), ("酒井", "サカイ", "Sakai"),
    ("工藤", "クドウ", "Kudo"), ("横山", "ヨコヤマ", "Yokoyama"), ("宮崎", "ミヤザキ", "Miyazaki"),
    ("宮本", "ミヤモト", "Miyamoto"), ("内田", "ウチダ", "Uchida"), ("高木", "タカギ", "Takagi"),
    ("安藤", "アンドウ", "Ando"), ("谷口", "タニグチ", "Taniguchi"), ("大野", "オオノ", "Ono"),
    ("丸山", "マルヤマ", "Maruyama"), ("今井", "イマイ", "Imai"), ("高田", "タカダ", "Takada"),
    ("藤本", "フジモト", "Fujimoto"), ("武田", "タケダ", "Takeda"), ("村田", "ムラタ", "Murata"),
    ("上野", "ウエノ", "Ueno"), ("杉山", "スギヤマ", "Sugiyama"), ("増田", "マスダ", "Masuda"),
    ("平野", "ヒラノ", "Hirano"), ("大塚", "オオツカ", "Otsuka"), ("千葉", "チバ", "Chiba"),
    ("久保", "クボ", "Kubo"), ("松井", "マツイ", "Matsui"), ("小島", "コジマ", "Kojima"),
    ("岩崎", "イワサキ", "Iwasaki"), ("桜井", "サクライ", "Sakurai"), ("野口", "ノグチ", "Noguchi"),
    ("松尾", "マツオ", "Matsuo"), ("野村", "ノムラ", "Nomura"), ("木下", "キノシタ", "Kinoshita"),
    ("菊地", "キクチ", "Kikuchi"), ("佐野", "サノ", "Sano"), ("大西", "オオニシ", "Onishi"),
    ("杉本", "スギモト", "Sugimoto"), ("新井", "アライ", "Arai"), ("浜田", "ハマダ", "Hamada"),
    ("菅原", "スガワラ", "Sugawara"), ("市川", "イチカワ", "Ichikawa"), ("水野", "ミズノ", "Mizuno"),
    ("小松", "コマツ", "Komatsu"), ("島田", "シマダ", "Shimada"), ("古川", "フルカワ", "Furukawa"),
    ("小山", "コヤマ", "Koyama"), ("高野", "タカノ", "Takano"), ("西田", "ニシダ", "Nishida"),
    ("菊池", "キクチ", "Kikuchi"), ("山内", "ヤマウチ", "Yamauchi"), ("西川", "ニシカワ", "Nishikawa"),
    ("五十嵐", "イガラシ", "Igarashi"), ("北村", "キタムラ", "Kitamura"), ("安田", "ヤスダ", "Yasuda"),
    ("中田", "ナカタ", "Nakata"), ("川口", "カワグチ", "Kawaguchi"), ("平田", "ヒラタ", "Hirata"),
    ("川崎", "カワサキ", "Kawasaki"), ("飯田", "イイダ", "Iida"), ("吉川", "ヨシカワ", "Yoshikawa"),
    ("本田", "ホンダ", "Honda"), ("久保田", "クボタ", "Kubota"), ("沢田", "サワダ", "Sawada"),
    ("辻", "ツジ", "Tsuji"), ("関", "セキ", "Seki"), ("吉村", "ヨシムラ", "Yoshimura"),
    ("渡部", "ワタナベ", "Watanabe"), ("岩田", "イワタ", "Iwata"), ("中西", "ナカニシ", "Nakanishi"),
    ("服部", "ハットリ", "Hattori"), ("樋口", "ヒグチ", "Higuchi"), ("福島", "フクシマ", "Fukushima"),
    ("川上", "カワカミ", "Kawakami"), ("永井", "ナガイ", "Nagai"), ("松岡", "マツオカ", "Matsuoka"),
    ("田口", "タグチ", "Taguchi"), ("山中", "ヤマナカ", "Yamanaka"), ("森本", "モリモト", "Morimoto"),
    ("土屋", "ツチヤ", "Tsuchiya"), ("矢野", "ヤノ", "Yano"), ("広瀬", "ヒロセ", "Hirose"),
    ("秋山", "アキヤマ", "Akiyama"), ("石原", "イシハラ", "Ishihara"), ("松下", "マツシタ", "Matsushita"),
    ("大橋", "オオハシ", "Ohashi"), ("馬場", "ババ", "Baba"), ("荒木", "アラキ", "Araki"),
)  # fmt: skip

EXTRA_GIVEN_NAMES: Final[tuple[tuple[str, str, str], ...]] = (
    ("大輔", "ダイスケ", "Daisuke"), ("誠", "マコト", "Makoto"), ("健太", "ケンタ", "Kenta"),
    ("隆", "タカシ", "Takashi"), ("大樹", "ダイキ", "Daiki"), ("拓也", "タクヤ", "Takuya"),
    ("雄一", "ユウイチ", "Yuichi"), ("達也", "タツヤ", "Tatsuya"), ("剛", "ツヨシ", "Tsuyoshi"),
    ("悠斗", "ユウト", "Yuto"), ("蓮", "レン", "Ren"), ("大和", "ヤマト", "Yamato"),
    ("健二", "ケンジ", "Kenji"), ("正樹", "マサキ", "Masaki"), ("一郎", "イチロウ", "Ichiro"),
    ("博之", "ヒロユキ", "Hiroyuki"), ("慎也", "シンヤ", "Shinya"), ("亮", "リョウ", "Ryo"),
    ("哲也", "テツヤ", "Tetsuya"), ("秀樹", "ヒデキ", "Hideki"), ("陸", "リク", "Riku"),
    ("美咲", "ミサキ", "Misaki"), ("愛", "アイ", "Ai"), ("恵", "メグミ", "Megumi"),
    ("由美", "ユミ", "Yumi"), ("真由美", "マユミ", "Mayumi"), ("智子", "トモコ", "Tomoko"),
    ("久美子", "クミコ", "Kumiko"), ("恵子", "ケイコ", "Keiko"), ("彩", "アヤ", "Aya"),
    ("麻衣", "マイ", "Mai"), ("沙織", "サオリ", "Saori"), ("優子", "ユウコ", "Yuko"),
    ("陽菜", "ヒナ", "Hina"), ("葵", "アオイ", "Aoi"), ("さくら", "サクラ", "Sakura"),
    ("奈々", "ナナ", "Nana"), ("理恵", "リエ", "Rie"), ("千尋", "チヒロ", "Chihiro"),
    ("真理子", "マリコ", "Mariko"), ("京子", "キョウコ", "Kyoko"), ("綾香", "アヤカ", "Ayaka"),
)  # fmt: skip

# (prefecture, weight ~ population in millions with Tokyo doubled for its business density,
#  area code of the cities listed, ((city, first three postal digits), ...)).
PREFECTURE_CITIES: Final[tuple[tuple[str, float, str, tuple[tuple[str, str], ...]], ...]] = (
    ("北海道", 5.1, "011", (("札幌市中央区", "060"), ("札幌市北区", "001"), ("札幌市白石区", "003"))),
    ("青森県", 1.2, "017", (("青森市", "030"),)),
    ("岩手県", 1.2, "019", (("盛岡市", "020"),)),
    ("宮城県", 2.3, "022", (("仙台市青葉区", "980"), ("仙台市宮城野区", "983"))),
    ("秋田県", 0.9, "018", (("秋田市", "010"),)),
    ("山形県", 1.0, "023", (("山形市", "990"),)),
    ("福島県", 1.8, "024", (("福島市", "960"),)),
    ("茨城県", 2.8, "029", (("水戸市", "310"), ("ひたちなか市", "312"))),
    ("栃木県", 1.9, "028", (("宇都宮市", "320"),)),
    ("群馬県", 1.9, "027", (("前橋市", "371"), ("高崎市", "370"))),
    ("埼玉県", 7.3, "048", (("さいたま市大宮区", "330"), ("さいたま市浦和区", "330"), ("川口市", "332"))),
    ("千葉県", 6.3, "043", (("千葉市中央区", "260"), ("千葉市美浜区", "261"))),
    ("東京都", 28.0, "03", (
        ("千代田区", "100"), ("中央区", "104"), ("港区", "105"), ("新宿区", "160"), ("渋谷区", "150"),
        ("品川区", "141"), ("文京区", "113"), ("台東区", "110"), ("江東区", "135"), ("豊島区", "170"),
    )),
    ("神奈川県", 9.2, "045", (("横浜市西区", "220"), ("横浜市中区", "231"), ("横浜市港北区", "222"))),
    ("新潟県", 2.1, "025", (("新潟市中央区", "950"),)),
    ("富山県", 1.0, "076", (("富山市", "930"),)),
    ("石川県", 1.1, "076", (("金沢市", "920"),)),
    ("福井県", 0.8, "0776", (("福井市", "910"),)),
    ("山梨県", 0.8, "055", (("甲府市", "400"),)),
    ("長野県", 2.0, "026", (("長野市", "380"),)),
    ("岐阜県", 1.9, "058", (("岐阜市", "500"),)),
    ("静岡県", 3.6, "054", (("静岡市葵区", "420"), ("静岡市駿河区", "422"))),
    ("愛知県", 7.5, "052", (("名古屋市中区", "460"), ("名古屋市中村区", "450"), ("名古屋市東区", "461"))),
    ("三重県", 1.7, "059", (("津市", "514"),)),
    ("滋賀県", 1.4, "077", (("大津市", "520"),)),
    ("京都府", 2.5, "075", (("京都市中京区", "604"), ("京都市下京区", "600"))),
    ("大阪府", 8.8, "06", (
        ("大阪市北区", "530"), ("大阪市中央区", "541"), ("大阪市西区", "550"), ("大阪市淀川区", "532"),
    )),
    ("兵庫県", 5.4, "078", (("神戸市中央区", "650"), ("神戸市東灘区", "658"))),
    ("奈良県", 1.3, "0742", (("奈良市", "630"),)),
    ("和歌山県", 0.9, "073", (("和歌山市", "640"),)),
    ("鳥取県", 0.5, "0857", (("鳥取市", "680"),)),
    ("島根県", 0.7, "0852", (("松江市", "690"),)),
    ("岡山県", 1.9, "086", (("岡山市北区", "700"),)),
    ("広島県", 2.8, "082", (("広島市中区", "730"), ("広島市南区", "732"))),
    ("山口県", 1.3, "083", (("山口市", "753"),)),
    ("徳島県", 0.7, "088", (("徳島市", "770"),)),
    ("香川県", 0.9, "087", (("高松市", "760"),)),
    ("愛媛県", 1.3, "089", (("松山市", "790"),)),
    ("高知県", 0.7, "088", (("高知市", "780"),)),
    ("福岡県", 5.1, "092", (("福岡市博多区", "812"), ("福岡市中央区", "810"))),
    ("佐賀県", 0.8, "0952", (("佐賀市", "840"),)),
    ("長崎県", 1.3, "095", (("長崎市", "850"),)),
    ("熊本県", 1.7, "096", (("熊本市中央区", "860"),)),
    ("大分県", 1.1, "097", (("大分市", "870"),)),
    ("宮崎県", 1.1, "0985", (("宮崎市", "880"),)),
    ("鹿児島県", 1.6, "099", (("鹿児島市", "890"),)),
    ("沖縄県", 1.5, "098", (("那覇市", "900"),)),
)  # fmt: skip

# Company name words by industry: (kanji or katakana, reading, romaji for the web domain).
INDUSTRY_WORDS: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    "製造業": (("工業", "コウギョウ", "kogyo"), ("製作所", "セイサクショ", "seisakusho"),
            ("電機", "デンキ", "denki"), ("精機", "セイキ", "seiki"), ("化成", "カセイ", "kasei")),
    "卸売業": (("商事", "ショウジ", "shoji"), ("物産", "ブッサン", "bussan"), ("商会", "ショウカイ", "shokai"),
            ("トレーディング", "トレーディング", "trading")),
    "小売業": (("商店", "ショウテン", "shoten"), ("ストア", "ストア", "store"), ("薬局", "ヤッキョク", "yakkyoku")),
    "情報通信業": (("システムズ", "システムズ", "systems"), ("ソフト", "ソフト", "soft"),
               ("情報サービス", "ジョウホウサービス", "joho"), ("テクノロジー", "テクノロジー", "tech"),
               ("ネットワークス", "ネットワークス", "networks")),
    "建設業": (("建設", "ケンセツ", "kensetsu"), ("工務店", "コウムテン", "komuten"), ("設備", "セツビ", "setsubi")),
    "不動産業": (("不動産", "フドウサン", "fudosan"), ("地所", "ジショ", "jisho"), ("ハウジング", "ハウジング", "housing")),
    "運輸業": (("運輸", "ウンユ", "unyu"), ("物流", "ブツリュウ", "butsuryu"), ("ロジスティクス", "ロジスティクス", "logistics")),
    "医療・福祉": (("メディカル", "メディカル", "medical"), ("ケアサービス", "ケアサービス", "care")),
    "飲食サービス業": (("フーズ", "フーズ", "foods"), ("食品", "ショクヒン", "shokuhin")),
    "金融・保険業": (("ファイナンス", "ファイナンス", "finance"), ("保険サービス", "ホケンサービス", "hoken")),
}  # fmt: skip

# Katakana brand stems, so that not every company is "<family name><word>".
BRANDS: Final[tuple[tuple[str, str], ...]] = (
    ("サクラ", "sakura"), ("ミライ", "mirai"), ("アオバ", "aoba"), ("ヒカリ", "hikari"), ("ツバサ", "tsubasa"),
    ("ミドリ", "midori"), ("アサヒ", "asahi"), ("ヤマト", "yamato"), ("ホクト", "hokuto"), ("セイワ", "seiwa"),
    ("ダイワ", "daiwa"), ("トウワ", "towa"), ("シンセイ", "shinsei"), ("コスモ", "cosmo"), ("アルファ", "alpha"),
)  # fmt: skip


def _name(kanji: str, kana: str, romaji: str) -> Name:
    # Exactly what the Text and Kana field specs store, and what _contact_search_text folds.
    kanji = normalize_text(kanji)
    kana = to_katakana(normalize_text(kana))
    return Name(kanji, kana, romaji.lower(), fold_for_search(kanji), fold_for_search(kana))


def _weighted_names(
    fake: Faker, draw: str, extra: tuple[tuple[str, str, str], ...], size: int
) -> tuple[Name, ...]:
    # Faker draws by real frequency (佐藤 and 鈴木 come up most); the extra names are mixed in evenly.
    pairs = [getattr(fake, draw)() for _ in range(size)] + list(extra) * max(1, size // (4 * len(extra)))
    return tuple(_name(*pair) for pair in pairs)


def build_pools(seed: int, *, size: int = 4000) -> Pools:
    """Draw the pools from a Faker seeded with ``seed``: the same seed gives the same demo data."""
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    cities: list[City] = []
    weights: list[float] = []
    for prefecture, weight, area_code, entries in PREFECTURE_CITIES:
        for city, postal3 in entries:
            cities.append(City(prefecture, city, postal3, area_code))
            weights.append(weight / len(entries))
    return Pools(
        family_names=_weighted_names(fake, "last_name_pair", EXTRA_FAMILY_NAMES, size),
        given_names=_weighted_names(fake, "first_name_pair", EXTRA_GIVEN_NAMES, size),
        cities=bag(cities, weights, scale=10),
        towns=tuple(sorted({fake.town() for _ in range(size // 10)})),
        buildings=tuple(sorted({fake.building_name() for _ in range(50)})),
    )


LEGAL_FORM_CHOICES: Final[tuple[tuple[str, bool, float], ...]] = (
    # (form, written in front of the name (前株), weight)
    ("株式会社", True, 0.45),
    ("株式会社", False, 0.33),
    ("合同会社", True, 0.12),
    ("有限会社", True, 0.05),
    ("有限会社", False, 0.05),
)


@dataclass(frozen=True, slots=True)
class CompanyName:
    name: str
    kana: str
    slug: str
    industry: str


def company_name(dice: Dice, pools: Pools) -> CompanyName:
    """A plausible company: 株式会社山田商事 (ヤマダショウジ), 合同会社ミライシステムズ …"""
    industry = dice.pick(INDUSTRY_LIST)
    word, word_kana, word_romaji = dice.pick(INDUSTRY_WORDS[industry])
    if dice.chance(0.75):
        stem = dice.pick(pools.family_names)
        base, kana, slug = stem.kanji + word, stem.kana + word_kana, f"{stem.romaji}-{word_romaji}"
    else:
        brand, brand_romaji = dice.pick(BRANDS)
        base, kana, slug = brand + word, brand + word_kana, f"{brand_romaji}-{word_romaji}"
    form, in_front = dice.pick(LEGAL_FORM_BAG)
    name = display_company_name(form + base if in_front else base + form)
    # The reading leaves out the legal form, as 法人番号公表サイト and most Japanese CRMs do.
    return CompanyName(name, to_katakana(normalize_text(kana)), slug, industry)


INDUSTRY_LIST: Final = tuple(INDUSTRY_WORDS)
LEGAL_FORM_BAG: Final = bag(
    [(form, front) for form, front, _ in LEGAL_FORM_CHOICES], [w for _, _, w in LEGAL_FORM_CHOICES], scale=100
)

DEPARTMENTS: Final = (
    "営業部", "総務部", "経理部", "情報システム部", "購買部", "人事部", "経営企画部", "マーケティング部",
    "製造部", "品質保証部", "",
)  # fmt: skip
TITLES: Final = ("部長", "課長", "係長", "主任", "担当", "代表取締役", "取締役", "マネージャー", "", "")
SOURCES: Final = ("展示会", "Webサイト", "紹介", "セミナー", "広告", "名刺交換", "電話")
CONSENT_SOURCES: Final = ("Webフォーム", "展示会アンケート", "名刺交換", "セミナー申込")
