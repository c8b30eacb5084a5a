#!/usr/bin/env python3
"""Writes .npy input sets for the three MLPerf Tiny models that ship without data.

tinyskip scores an approximate model label-free: by how often its outputs agree
with the exact model's on the same inputs. That needs inputs whose statistics
resemble what each model's front end was trained on. Seeded random tensors
exercise the arithmetic, but they do not exercise the features. These sets do:

  vww  CIFAR-10 test images resized 32x32 -> 96x96 (bilinear, half-pixel
       centres, as TF's resize with half_pixel_centers=True), uint8
       (N, 96, 96, 3). They are natural images, but CIFAR's classes are not
       person / no-person, so no labels are written. tinyskip applies the
       model's int8 input quantisation itself, using the config's pixel_scale.
  kws  Synthetic 1 s, 16 kHz clips with speech-like structure (voiced
       harmonic syllables with pitch glides and formants, fricative noise
       bursts, gaps, background noise at a random SNR, and some clips
       zero-padded like short Speech Commands recordings). They go through
       the MLPerf Tiny keyword_spotting MFCC front end: 30 ms Hann windows,
       20 ms stride, FFT 512, magnitude, 40 HTK mel bins over 20-4000 Hz,
       log(x + 1e-6), DCT-II scaled as tf.signal.mfccs_from_log_mel_spectrograms
       (sqrt(2/N) for every coefficient), first 10. Output: float32
       (N, 49, 10, 1). THESE ARE NOT SPEECH: they drive the DS-CNN with
       speech-like spectro-temporal statistics, so agreement on them
       measures how faithful an approximation is on that input
       distribution. It is not keyword-spotting accuracy.
  ad   Synthetic machine sounds (a harmonic hum on a 50-400 Hz fundamental,
       slow amplitude modulation, broadband noise, occasional clicks) through
       the MLPerf Tiny anomaly_detection front end (librosa defaults there):
       16 kHz, centred STFT, n_fft 1024, hop 512, periodic Hann, power 2,
       128 Slaney mel bins with area normalisation, 10*log10(x + eps). Five
       consecutive frames are joined into one 640-vector per clip. Output:
       float32 (N, 640). Not ToyADMOS recordings: agreement only.

tinyskip quantises float32 inputs with the input tensor's scale and zero point.
The same arguments always give a byte-identical file. Clip i is drawn from
seed (S, i), so a larger --count extends a smaller set without changing it.
Needs only python3 and numpy.
"""
import argparse
import os
import sys

import numpy as np

SR = 16000  # both audio models were trained on 16 kHz audio


def save_atomic(path, arr):
    """Write arr to path via a temporary file, so a crash never leaves half a file."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = path + ".tmp.npy"  # ends in .npy so np.save does not append another suffix
    np.save(tmp, arr)
    os.replace(tmp, path)
    print(f"make_inputs: wrote {arr.shape} {arr.dtype} to {path}")


def print_range(name, x):
    # On stderr, so the values can be compared with the input tensor's range.
    print(f"make_inputs: {name} features min {x.min():.3f} max {x.max():.3f} "
          f"mean {x.mean():.3f}", file=sys.stderr)


# ---------------------------------------------------------------- vww

def bilinear_taps(n_in, n_out):
    """Neighbours and weights for 1-D bilinear resampling with half-pixel centres.

    Output i samples the source at (i + 0.5) * n_in / n_out - 0.5, between
    pixels i0 and i1 with weight frac on i1. Neighbours are clamped at the
    border, as TF's resize_bilinear does.
    """
    src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    lo = np.floor(src)
    i0 = np.clip(lo, 0, n_in - 1).astype(int)
    i1 = np.clip(lo + 1, 0, n_in - 1).astype(int)
    return i0, i1, (src - lo).astype(np.float32)


def lerp_axis(x, axis, n_out):
    """Resample one axis of x to n_out samples (the 2-D resize is separable)."""
    i0, i1, frac = bilinear_taps(x.shape[axis], n_out)
    shape = [1] * x.ndim
    shape[axis] = n_out
    a = np.take(x, i0, axis)
    return a + (np.take(x, i1, axis) - a) * frac.reshape(shape)


def resize_bilinear(images, size):
    """uint8 (N, H, W, C) -> uint8 (N, size, size, C), rounded to nearest.

    For 32 -> 96 every weight is 0, 1/3 or 2/3, so each output is k/9 and at
    least 1/18 away from a tie at .5. Float32's error of about 1e-5 cannot
    change the rounding. Gathers rather than matrix products keep the speed
    independent of which BLAS numpy links.
    """
    out = np.empty((len(images), size, size, images.shape[3]), np.uint8)
    for s in range(0, len(images), 100):  # chunks keep temporaries small and in cache
        x = images[s:s + 100].astype(np.float32)
        x = lerp_axis(lerp_axis(x, 1, size), 2, size)
        out[s:s + 100] = np.clip(np.rint(x), 0, 255)
    return out


def cmd_vww(args):
    path = os.path.join(args.cifar, "test_batch.bin")
    if not os.path.isfile(path):
        sys.exit(f"make_inputs: {path} not found (scripts/fetch_cifar10.sh downloads it)")
    raw = np.fromfile(path, np.uint8)
    if raw.size % 3073:
        sys.exit(f"make_inputs: {path} is not a CIFAR-10 binary batch ({raw.size} bytes)")
    rec = raw.reshape(-1, 3073)  # 1 label byte, then R, G, B planes of 32x32
    count = rec.shape[0] - args.offset if args.count is None else args.count
    if args.offset < 0 or count < 1 or args.offset + count > rec.shape[0]:
        sys.exit(f"make_inputs: images [{args.offset}, {args.offset + count}) "
                 f"are outside the {rec.shape[0]} in {path}")
    chw = rec[args.offset:args.offset + count, 1:].reshape(-1, 3, 32, 32)
    save_atomic(args.out, resize_bilinear(chw.transpose(0, 2, 3, 1), 96))


# ---------------------------------------------------------------- shared audio helpers

def hann(n):
    # Periodic Hann: the default in tf.signal.hann_window and in librosa/scipy.
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def frames_of(x, length, hop):
    """Frames of x as rows; only whole frames, like tf.signal.stft's pad_end=False."""
    count = 1 + (len(x) - length) // hop
    return x[np.arange(count)[:, None] * hop + np.arange(length)]


def mel_filterbank(n_fft, n_mels, fmin, fmax, htk):
    """(n_fft//2 + 1, n_mels) triangular mel weights on rFFT bins.

    htk=True is tf.signal.linear_to_mel_weight_matrix: HTK scale
    1127 ln(1 + f/700), triangles that are linear in mel, DC bin zeroed.
    htk=False is librosa.filters.mel's default: the Slaney scale (linear
    below 1 kHz, logarithmic above), triangles that are linear in Hz, each
    scaled to unit area (2 / bandwidth).
    """
    freqs = np.linspace(0, SR / 2, n_fft // 2 + 1)
    if htk:
        to_mel = lambda f: 1127.0 * np.log1p(f / 700.0)  # noqa: E731
        edges = np.linspace(to_mel(fmin), to_mel(fmax), n_mels + 2)
        pos = to_mel(freqs)
    else:
        f_sp, log_step = 200.0 / 3, np.log(6.4) / 27  # Slaney: 15 mel at 1 kHz

        def to_mel(f):
            f = np.asarray(f, float)
            return np.where(f < 1000, f / f_sp, 15 + np.log(np.maximum(f, 1e-9) / 1000) / log_step)

        def to_hz(m):
            return np.where(m < 15, m * f_sp, 1000 * np.exp((m - 15) * log_step))

        edges = to_hz(np.linspace(to_mel(fmin), to_mel(fmax), n_mels + 2))
        pos = freqs
    lo, mid, hi = edges[:-2], edges[1:-1], edges[2:]
    rise = (pos[:, None] - lo) / (mid - lo)
    fall = (hi - pos[:, None]) / (hi - mid)
    w = np.maximum(0.0, np.minimum(rise, fall))
    if htk:
        w[0] = 0.0
    else:
        w *= 2.0 / (hi - lo)
    return w


def colored_noise(rng, n, tilt):
    """Unit-RMS noise with power falling as f^-tilt (0 white, 1 pink), nothing below 40 Hz.

    Microphones and recorders cut the lowest frequencies, so real recordings
    have almost no energy there (see the first mel bin of real features).
    """
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    spec[f < 40] = 0
    x = np.fft.irfft(spec * np.maximum(f, 40) ** (-tilt / 2), n)
    return x / np.sqrt(np.mean(x ** 2))


def envelope(n, rng):
    """A smooth attack / sustain / release amplitude envelope of length n."""
    attack = max(1, int(n * rng.uniform(0.05, 0.4)))
    release = max(1, int(n * rng.uniform(0.1, 0.5)))
    e = np.ones(n)
    e[:attack] = np.sin(0.5 * np.pi * np.arange(attack) / attack) ** 2
    e[n - release:] *= np.cos(0.5 * np.pi * np.arange(release) / release) ** 2
    return e


# ---------------------------------------------------------------- kws

KWS_WIN, KWS_HOP, KWS_FFT, KWS_MELS, KWS_MFCC = 480, 320, 512, 40, 10
KWS_MEL_W = mel_filterbank(KWS_FFT, KWS_MELS, 20.0, 4000.0, htk=True)
_k, _n = np.arange(KWS_MELS)[:, None], np.arange(KWS_MELS)
# tf.signal.mfccs_from_log_mel_spectrograms: unnormalised DCT-II * rsqrt(2N).
KWS_DCT = (2 * np.cos(np.pi * _k * (2 * _n + 1) / (2 * KWS_MELS)) / np.sqrt(2 * KWS_MELS))[:KWS_MFCC]


def voiced(rng, n):
    """A syllable-like voiced sound: harmonics of a gliding f0 shaped by formants."""
    t = np.arange(n) / SR
    f0 = rng.uniform(85, 260) * np.linspace(1.0, rng.uniform(0.7, 1.4), n)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    k = np.arange(1, int(7000 / f0.max()) + 1)[:, None]  # harmonics under 7 kHz
    formants = np.array([rng.uniform(300, 900), rng.uniform(900, 2400), rng.uniform(2200, 3500)])
    drift = 1 + 0.1 * np.sin(2 * np.pi * rng.uniform(1, 4) * t)  # formants move a little
    fk = k * f0  # (harmonic, time) frequency of each harmonic
    amp = sum(np.exp(-0.5 * ((fk - f * drift) / rng.uniform(80, 200)) ** 2) / (i + 1)
              for i, f in enumerate(formants)) + 0.02
    s = np.sum(amp / k * np.sin(k * phase + rng.uniform(0, 2 * np.pi, k.shape)), axis=0)
    return s * envelope(n, rng)


def fricative(rng, n):
    """A fricative-like burst: noise band-passed to a random high band."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    lo = rng.uniform(1500, 5000)
    spec[(f < lo) | (f > rng.uniform(lo + 1000, 8000))] = 0
    return np.fft.irfft(spec, n) * envelope(n, rng)


def kws_clip(rng):
    n = SR
    fg = np.zeros(n)
    for _ in range(rng.integers(1, 4)):  # 1-3 segments with gaps between them
        seg = int(SR * rng.uniform(0.08, 0.4))
        start = rng.integers(0, n - seg)
        part = voiced(rng, seg) if rng.random() < 0.7 else fricative(rng, seg)
        fg[start:start + seg] += part / np.sqrt(np.mean(part ** 2)) * rng.uniform(0.3, 1.0)
    snr_db = rng.uniform(0, 40)
    bg = colored_noise(rng, n, rng.uniform(0.5, 2))
    x = fg + bg * np.sqrt(np.mean(fg ** 2)) * 10 ** (-snr_db / 20)
    if rng.random() < 0.2:  # short recordings are zero-padded to 1 s in the reference
        x[int(n * rng.uniform(0.6, 0.95)):] = 0
    # The reference divides by the clip's maximum, not its peak magnitude.
    return x / x.max()


def kws_features(x):
    spec = np.abs(np.fft.rfft(frames_of(x, KWS_WIN, KWS_HOP) * hann(KWS_WIN), KWS_FFT))
    return np.log(spec @ KWS_MEL_W + 1e-6) @ KWS_DCT.T  # (49, 10)


def cmd_kws(args):
    feats = np.stack([kws_features(kws_clip(np.random.default_rng([args.seed, i])))
                      for i in range(args.count)]).astype(np.float32)[..., None]
    print_range("kws", feats)
    save_atomic(args.out, feats)


# ---------------------------------------------------------------- ad

AD_FFT, AD_HOP, AD_MELS, AD_FRAMES = 1024, 512, 128, 5
AD_MEL_W = mel_filterbank(AD_FFT, AD_MELS, 0.0, SR / 2, htk=False)


def ad_clip(rng):
    n = SR  # 1 s is enough: only 5 frames (about 0.2 s) are used per clip
    t = np.arange(n) / SR
    f0 = rng.uniform(50, 400) * (1 + 0.003 * np.sin(2 * np.pi * rng.uniform(0.1, 1) * t))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    k = np.arange(1, int(7500 / f0.max()) + 1)[:, None]
    amp = rng.lognormal(0, 1, k.shape) * k ** -rng.uniform(0.5, 2.0)
    hum = np.sum(amp * np.sin(k * phase + rng.uniform(0, 2 * np.pi, k.shape)), axis=0)
    hum *= 1 + rng.uniform(0, 0.5) * np.sin(2 * np.pi * rng.uniform(0.5, 8) * t + rng.uniform(0, 6.3))
    hum /= np.sqrt(np.mean(hum ** 2))
    x = hum + colored_noise(rng, n, rng.uniform(0.5, 2)) * 10 ** (rng.uniform(-20, 10) / 20)
    for _ in range(rng.poisson(rng.uniform(0, 8))):  # clicks: short decaying noise bursts
        m = int(SR * rng.uniform(0.001, 0.005))
        s = rng.integers(0, n - m)
        x[s:s + m] += rng.uniform(1, 6) * rng.standard_normal(m) * np.exp(-np.arange(m) / (m / 4))
    # Overall level, in the range that puts the features where real recordings
    # put them (the reference's ToyADMOS sample spans about -67..2 dB).
    return x / np.sqrt(np.mean(x ** 2)) * 10 ** (rng.uniform(-48, -22) / 20)


def ad_vector(x, rng):
    x = np.pad(x, AD_FFT // 2, mode="reflect")  # librosa's centred STFT
    frames = frames_of(x, AD_FFT, AD_HOP)
    start = rng.integers(2, len(frames) - AD_FRAMES - 2)  # stay clear of the padded ends
    power = np.abs(np.fft.rfft(frames[start:start + AD_FRAMES] * hann(AD_FFT))) ** 2
    log_mel = 10.0 * np.log10(power @ AD_MEL_W + sys.float_info.epsilon)  # 20/power * log10
    return log_mel.reshape(-1)  # frame-major, as the reference concatenates frames


def cmd_ad(args):
    vecs = []
    for i in range(args.count):
        rng = np.random.default_rng([args.seed, i])
        vecs.append(ad_vector(ad_clip(rng), rng))
    feats = np.stack(vecs).astype(np.float32)
    print_range("ad", feats)
    save_atomic(args.out, feats)


# ---------------------------------------------------------------- cli

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("vww", help="CIFAR-10 test images resized to 96x96 uint8")
    v.add_argument("--cifar", required=True, help="directory with test_batch.bin")
    v.add_argument("--out", required=True)
    v.add_argument("--count", type=int, default=None, help="default: all from --offset on")
    v.add_argument("--offset", type=int, default=0)
    v.set_defaults(func=cmd_vww)
    for name, helptext, func in (("kws", "synthetic speech-like MFCC features", cmd_kws),
                                 ("ad", "synthetic machine-sound log-mel vectors", cmd_ad)):
        a = sub.add_parser(name, help=helptext)
        a.add_argument("--out", required=True)
        a.add_argument("--count", type=int, default=1000)
        a.add_argument("--seed", type=int, default=1)
        a.set_defaults(func=func)
    args = p.parse_args()
    if getattr(args, "seed", 0) < 0 or (args.count is not None and args.count < 1):
        p.error("--count must be at least 1 and --seed non-negative")
    args.func(args)


if __name__ == "__main__":
    main()
