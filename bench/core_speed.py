"""Core speed on this machine: content load, answer time for commands and free text, memory.

Run: `make bench` (or `python bench/core_speed.py`). Prints figures; asserts nothing. The
targets and past figures: bench/README.md.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from iombot.core.answerer import Answerer
from iombot.core.content import default_content_dir, load_content
from iombot.core.readings import ReadingCache
from iombot.core.reply import Query

COMMANDS = ["/contact", "/about", "/un", "/history@iom_bot", "/start contact", "/help"]
QUESTIONS = [
    "what's your phone number?",
    "when did IOM join the UN",
    "who is the director general",
    "電話番号を教えてください",
    "IOMはいつ国連に加盟しましたか",
    "what is the weather in tokyo",  # falls back to "did you mean"
    "phnoe numbr",  # typo correction
    "湾岸戦争のとき日本は何をしたの？",
]

# Issue 24: the same eight free-text questions, in each language the bot speaks besides English
# and Japanese: the phone number twice (once politely), joining the UN twice, the Director
# General, the weather (not covered), the phone number mistyped, Japan in the Gulf War.
QUESTIONS_IN = {
    "zh": [
        "你们的电话号码是多少？",
        "IOM什么时候加入联合国",
        "总干事是谁",
        "请告诉我电话号码",
        "IOM是哪一年加入联合国的？",
        "东京的天气怎么样",
        "电化号码",
        "海湾战争的时候日本做了什么？",
    ],
    "vi": [
        "số điện thoại của bạn là gì?",
        "IOM gia nhập Liên Hợp Quốc khi nào",
        "tổng giám đốc là ai",
        "Xin cho tôi biết số điện thoại",
        "IOM gia nhập LHQ năm nào?",
        "thời tiết ở tokyo thế nào",
        "số điện thaoi của IOM",
        "Trong Chiến tranh vùng Vịnh Nhật Bản đã làm gì?",
    ],
    "ko": [
        "전화번호가 뭐예요?",
        "IOM은 언제 유엔에 가입했어요",
        "사무총장이 누구예요",
        "전화번호 알려주세요",
        "IOM은 언제 국제연합에 가입했습니까",
        "도쿄 날씨 어때요",
        "전화번효",
        "걸프 전쟁 때 일본은 무엇을 했나요?",
    ],
    "tl": [
        "ano ang phone number ninyo?",
        "kailan sumali ang IOM sa UN",
        "sino ang director general",
        "Pakibigay po ang numero ng telepono",
        "Kailan naging bahagi ng United Nations ang IOM?",
        "kumusta ang panahon sa tokyo",
        "ano numbr ng telepno ninyo",
        "Ano ang ginawa ng Japan noong Gulf War?",
    ],
    "ne": [
        "तपाईंको फोन नम्बर के हो?",
        "IOM कहिले संयुक्त राष्ट्रसंघमा सामेल भयो",
        "महानिर्देशक को हुनुहुन्छ",
        "कृपया फोन नम्बर बताउनुहोस्",
        "IOM कहिले UN मा सामेल भयो?",
        "टोकियोको मौसम कस्तो छ",
        "फोन नम्बार",
        "खाडी युद्धको बेला जापानले के गर्यो?",
    ],
    "pt": [
        "qual é o telefone de vocês?",
        "quando a IOM entrou na ONU",
        "quem é o diretor-geral",
        "Por favor, me passe o número de telefone",
        "Quando a OIM se juntou às Nações Unidas?",
        "como está o tempo em tóquio",
        "qual o numro de telfone",
        "O que o Japão fez na Guerra do Golfo?",
    ],
    "id": [
        "berapa nomor telepon kalian?",
        "kapan IOM bergabung dengan PBB",
        "siapa direktur jenderal",
        "Tolong beri tahu nomor teleponnya",
        "Kapan IOM menjadi bagian dari PBB?",
        "bagaimana cuaca di tokyo",
        "berapa nomr telpon",
        "Apa yang dilakukan Jepang saat Perang Teluk?",
    ],
}


def timed(function, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def each(answerer: Answerer, batch: list[Query]):
    """A call answering the batch's queries in turn, one per call."""
    state = {"i": 0}

    def call():
        answerer.answer(batch[state["i"] % len(batch)])
        state["i"] += 1

    return call


def report(name: str, samples_us: list[float]) -> None:
    samples_us.sort()
    p99 = samples_us[int(len(samples_us) * 0.99) - 1]
    print(
        f"{name:<28} median {statistics.median(samples_us):9.1f} µs   p99 {p99:9.1f} µs"
        f"   ({len(samples_us)} calls)"
    )


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


FIRST_LOAD = (
    "import time; t = time.perf_counter();"
    "from iombot.core.answerer import Answerer;"
    "from iombot.core.content import default_content_dir, load_content;"
    "s = time.perf_counter(); Answerer(load_content(default_content_dir()));"
    "print((time.perf_counter() - s) * 1e6)"
)


def first_load_us(cache_home: str) -> float:
    """One content load in a fresh process (imports not counted), with this cache folder."""
    env = {**os.environ, "XDG_CACHE_HOME": cache_home}
    out = subprocess.run(
        [sys.executable, "-c", FIRST_LOAD], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def main() -> None:
    directory = default_content_dir()
    load_content(directory)  # warm the file cache and imports
    # One readings cache for every load, as a running bot's reloads share its answerer's.
    readings = ReadingCache()
    loads = timed(lambda: Answerer(load_content(directory), readings), 30)
    report("load content + build index", loads)
    # A start (or a reload) in a new process: the Japanese readings not yet worked out (a new
    # machine, a new dictionary) start a child with the dictionary; cached, they don't.
    with tempfile.TemporaryDirectory() as cache_home:
        cold = first_load_us(cache_home)
        warm = statistics.median(first_load_us(cache_home) for _ in range(5))
    print(f"{'first load, new process':<28} {warm:9.1f} µs readings cached; {cold:.1f} µs not")

    answerer = Answerer(load_content(directory))
    gc.collect()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_mb = current_rss_mb()
    queries = [Query(text=t, user_id=str(n % 50), locale="en") for n, t in enumerate(COMMANDS)]
    questions = [Query(text=t, user_id=str(n % 50)) for n, t in enumerate(QUESTIONS)]
    for query in queries + questions:  # warm caches
        answerer.answer(query)

    report("command answer", timed(each(answerer, queries), 20_000))
    report("free-text answer", timed(each(answerer, questions), 20_000))
    for code, texts in QUESTIONS_IN.items():  # each language's index built by its first question
        asked = [Query(text=t, user_id=str(n % 50)) for n, t in enumerate(texts)]
        for query in asked:
            answerer.answer(query)
        report(f"free-text answer, {code}", timed(each(answerer, asked), 8_000))
    # The Japanese dictionary (core/readings.py) is loaded while content is read, then released:
    # the peak is while it is loaded, the resident figure what stays.
    print(f"{'resident memory after load':<28} {rss_mb:9.1f} MB (the dictionary released)")
    print(f"{'peak resident memory':<28} {peak_mb:9.1f} MB (while the dictionary is loaded)")
    print(f"{'topics':<28} {len(answerer.content.topics):9d}   content {answerer.content.version}")


if __name__ == "__main__":
    main()
