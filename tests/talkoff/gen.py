#!/usr/bin/env python3
"""Talk-off material for tests/talkoff: speech and music, deterministic.

Speech: espeak-ng (22050 Hz WAV; talkoff.c resamples to 8 kHz) in eleven
languages, each text in eight voices (male and female variants, pitch
-p and speed -s varied). Music: chords and melodies with harmonics,
synthesised at 8 kHz from a fixed seed. Writes DIR/*.wav and
DIR/manifest (one "file level_dBm0" a line, in play order) and prints
the manifest's path. Usage: gen.py DIR [minutes] (default 30: the
whole set; fewer takes a spread subset of it).
"""
import math
import os
import random
import struct
import subprocess
import sys
import wave

TEXTS = {
    "en": "Hello, this is Margaret calling about the meeting on "
          "Thursday. Could you please ring me back at home this "
          "evening? The number has not changed. I will be in from six "
          "o'clock, and we can talk about the budget, the train tickets "
          "and who is bringing the projector. Thanks, and see you soon.",
    "de": "Guten Tag, hier spricht Herr Schneider von der Hausverwaltung. "
          "Die Heizung im dritten Stock wird am Mittwoch gewartet. Bitte "
          "lassen Sie den Schlüssel beim Hausmeister, oder rufen Sie mich "
          "zurück, falls das nicht geht. Vielen Dank und einen schönen "
          "Abend noch.",
    "fr": "Bonjour, c'est Julien. Je voulais te dire que le dîner de "
          "samedi est déplacé à dimanche midi, chez mes parents à Lyon. "
          "Apporte le gâteau au chocolat si tu peux, et rappelle-moi "
          "quand tu auras fini le travail. Bises, à bientôt.",
    "es": "Hola, soy Carmen. Te llamo porque el médico ha cambiado la "
          "cita del martes al jueves por la mañana. Si no puedes ir, "
          "llama a la consulta antes de las dos. Por cierto, la abuela "
          "manda recuerdos y pregunta cuándo vienes a verla.",
    "it": "Buongiorno, sono Paolo della ferramenta. Il pezzo che aveva "
          "ordinato è arrivato stamattina, può passare a ritirarlo "
          "quando vuole, siamo aperti fino alle sette. Se preferisce, "
          "glielo portiamo a casa domani pomeriggio. Arrivederci.",
    "pt": "Olá, fala a Ana da escola. A reunião de pais foi marcada para "
          "sexta-feira às seis da tarde, na biblioteca. Pedimos que "
          "tragam a ficha de inscrição preenchida e assinada. Obrigada "
          "e tenham um bom fim de semana.",
    "ru": "Здравствуйте, это Ольга из поликлиники. Ваши анализы готовы, "
          "можно забрать их в регистратуре с девяти до пяти. Если у вас "
          "есть вопросы, перезвоните, пожалуйста, по этому номеру. "
          "Всего доброго, до свидания.",
    "cmn": "你好，我是小王。明天上午十点的会议改到下午三点了，地点还是"
           "在二楼的会议室。请你把上个月的报告带过来，我们一起讨论一下。"
           "如果有问题，请给我回电话。谢谢，再见。",
    "ja": "もしもし、田中です。明日の打ち合わせですが、時間を午後二時に"
          "変更してもよろしいでしょうか。資料はメールで送っておきました。"
          "お手数ですが、折り返しお電話をお願いします。失礼します。",
    "hi": "नमस्ते, मैं राहुल बोल रहा हूँ। कल शाम को हम सब लोग बाज़ार "
          "जाने वाले हैं, क्या आप भी हमारे साथ चलेंगे? अगर आपके पास "
          "समय हो तो मुझे फ़ोन कर दीजिए। धन्यवाद, फिर मिलते हैं।",
    "ar": "مرحبا، أنا أحمد. أردت أن أخبرك أن الاجتماع سيكون يوم الأحد "
          "في الساعة العاشرة صباحا في المكتب الرئيسي. من فضلك أحضر "
          "الأوراق معك، واتصل بي إذا تأخرت. شكرا جزيلا، مع السلامة.",
}

# (variant, pitch 0-99, speed words a minute): male and female, low
# and high, slow and fast
VOICES = [
    ("m1", 50, 175), ("f2", 55, 170), ("m3", 25, 140), ("f4", 85, 210),
    ("m7", 65, 160), ("f1", 99, 240), ("croak", 35, 150), ("f5", 70, 120),
]

# speech levels (dBm0 r.m.s.): quiet to loud talkers, in turn
LEVELS = [-28, -22, -16, -10]

RATE = 8000


def note_hz(n):
    """Equal-tempered note n semitones from A4."""
    return 440.0 * 2 ** (n / 12.0)


def wavetable(harm, size=2048):
    """One period of a tone with harmonic amplitudes harm[k-1]."""
    return [sum(a * math.sin(2 * math.pi * (k + 1) * i / size)
                for k, a in enumerate(harm)) for i in range(size)]


def music(path, rng, secs):
    """Chords under a melody, instruments with harmonics."""
    instruments = [
        [1, 0.5, 0.33, 0.25, 0.2, 0.17],          # sawtooth-like
        [1, 0, 0.33, 0, 0.2, 0, 0.14],            # clarinet-like
        [1, 0.7, 0.5, 0.35, 0.25],                # organ-like
        [1, 0.25, 0.11, 0.06],                    # flute-like
    ]
    tables = [wavetable(h) for h in instruments]
    peaks = [max(abs(v) for v in t) for t in tables]
    size = len(tables[0])
    out = []
    t = 0
    while len(out) < secs * RATE:
        dur = int(RATE * rng.choice([0.25, 0.5, 0.75, 1.0]))
        root = rng.randint(-14, 4)
        chord = [root, root + rng.choice([3, 4]), root + 7]
        melody = root + rng.choice([12, 14, 16, 19, 24, 26, 28])
        voices = [(note_hz(n), rng.randrange(len(tables)), 0.25)
                  for n in chord]
        voices.append((note_hz(melody), rng.randrange(len(tables)), 0.5))
        phases = [0.0] * len(voices)
        for i in range(dur):
            env = min(1.0, i / 80.0, (dur - i) / 400.0)
            s = 0.0
            for v, (hz, ins, amp) in enumerate(voices):
                ph = phases[v]
                s += amp * tables[ins][int(ph) % size] / peaks[ins]
                phases[v] = ph + hz * size / RATE
            out.append(s * env)
        t += dur
    write8k(path, out)


def write8k(path, samples):
    peak = max(1e-9, max(abs(v) for v in samples))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(v / peak * 16000))
                               for v in samples))


def speak(path, lang, variant, pitch, speed):
    subprocess.run(["espeak-ng", "-v", lang + "+" + variant,
                    "-p", str(pitch), "-s", str(speed), "-w", path,
                    TEXTS[lang]], check=True, stderr=subprocess.DEVNULL)


def main():
    out = sys.argv[1]
    minutes = float(sys.argv[2]) if len(sys.argv) > 2 else 30
    os.makedirs(out, exist_ok=True)
    items = []
    n = 0
    for lang in TEXTS:
        for variant, pitch, speed in VOICES:
            items.append(("speech", lang, variant, pitch, speed,
                          LEVELS[n % len(LEVELS)]))
            n += 1
    # music: 18 pieces of 15 s, between the speech
    for i in range(18):
        items.insert(5 * i + 2, ("music", i, LEVELS[i % len(LEVELS)]))
    full = len(items)
    # a subset: every k-th item, spread over languages and voices
    want = max(1, round(full * minutes / 30.0))
    pick = [items[int(i * full / want)] for i in range(want)]
    lines = []
    for it in pick:
        if it[0] == "speech":
            _, lang, variant, pitch, speed, level = it
            name = "%s-%s-p%d-s%d.wav" % (lang, variant, pitch, speed)
            path = os.path.join(out, name)
            if not os.path.exists(path):
                speak(path, lang, variant, pitch, speed)
        else:
            _, i, level = it
            name = "music-%02d.wav" % i
            path = os.path.join(out, name)
            if not os.path.exists(path):
                music(path, random.Random(1000 + i), 15)
        lines.append("%s %d\n" % (name, level))
    man = os.path.join(out, "manifest")
    with open(man, "w") as f:
        f.writelines(lines)
    print(man)


if __name__ == "__main__":
    main()
