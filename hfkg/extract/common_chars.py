"""A set of very common Chinese characters (simplified and traditional), used to tell encodings apart.

When bytes decode both as GB18030 and as Big5, the right reading is the one
made mostly of everyday characters; the wrong one is mostly rare ones.
"""

from __future__ import annotations

import re

_COMMON_SIMPLIFIED = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小"
    "么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样"
    "现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便"
    "位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场"
    "师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界"
    "及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术"
    "结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深"
    "区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找"
    "友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切营团"
    "养护健康医疗服扶助帮奖励困特殊独庭婚育协厅室项工程划策省县镇村街乡户口福利儿童老龄妇联"
)
_COMMON_TRADITIONAL = (
    "們為個這來國時說對會過還當發後麼開問間長見學實現點無義從頭應經與動關讓認該兒務區團員療護協導組劃項體變處"
    "話覺東車電陽愛歲語讀議費錢邊陳張劉歷際選聯創單歡熱觀權幫獎勵難殊獨婚協廳鄉戶婦齡兒童萬億與書寫眾銀衛權機"
)
COMMON = frozenset(_COMMON_SIMPLIFIED + _COMMON_TRADITIONAL)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def common_char_score(text: str) -> float:
    """Share of CJK characters in ``text`` that are common ones (0.0 when there are none)."""
    cjk = _CJK.findall(text[:20000])
    if not cjk:
        return 0.0
    return sum(1 for ch in cjk if ch in COMMON) / len(cjk)
