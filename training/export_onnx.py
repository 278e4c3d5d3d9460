"""Export a re-ranker checkpoint to ONNX (float, then dynamic int8) and check the int8 scores.

askdoc runs models with onnxruntime, not torch; int8 makes the model ~4x smaller and faster on
CPU. Per-channel weights with reduce_range keep int8 close to float on AVX2 CPUs without VNNI
(where full-range u8*s8 products can saturate), so the check below prints the float-vs-int8
correlation on held-out dev pairs: a low one means the int8 file must not ship.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from reranker_model import (
    MAX_LEN,
    BertConfig,
    CrossEncoder,
    add_path_args,
    base_model_dir,
    encode_pairs,
    load_tokenizer,
    pair_texts,
)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def pick_checkpoint(path: Path | None, ckpt_dir: Path) -> Path:
    """The given file, else best.pt, else the latest step checkpoint."""
    if path is not None:
        return path
    if (ckpt_dir / "best.pt").exists():
        return ckpt_dir / "best.pt"
    found = sorted(ckpt_dir.glob("step-*.pt"))
    if not found:
        raise SystemExit(f"no checkpoint in {ckpt_dir}")
    return found[-1]


def ort_session(path: Path, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def ort_scores(session, tok, questions: list[str], texts: list[str], batch: int = 32) -> np.ndarray:
    out = []
    for i in range(0, len(texts), batch):
        enc = encode_pairs(tok, questions[i : i + batch], texts[i : i + batch])
        out.append(session.run(None, {k: enc[k].numpy() for k in INPUTS})[0])
    return np.concatenate(out)


def acc1(scores: np.ndarray, sizes: list[int]) -> float:
    """Share of groups whose positive (first member) scores strictly highest."""
    pos, wins = 0, 0
    for n in sizes:
        s = scores[pos : pos + n]
        wins += int(s[0] > s[1:].max())
        pos += n
    return wins / len(sizes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_path_args(ap)
    ap.add_argument("--ckpt-dir", type=Path, default=None, help="default: WORK/ckpt")
    ap.add_argument("--ckpt", type=Path, default=None, help="default: CKPT_DIR/best.pt, else the latest step-*.pt")
    ap.add_argument("--data", type=Path, default=None, help="dev.jsonl for the int8 check (default: WORK/data)")
    ap.add_argument("--out", type=Path, default=None, help="default: WORK/export")
    ap.add_argument("--pairs", type=int, default=400, help="dev pairs for the float-vs-int8 check")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    args.out = args.out or args.work / "export"
    args.data = args.data or args.work / "data"
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)

    ckpt_path = pick_checkpoint(args.ckpt, args.ckpt_dir or args.work / "ckpt")
    state = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    model = CrossEncoder(BertConfig.from_file(base_model_dir() / "config.json"))
    model.load_state_dict(state["model"])
    model.eval()
    # The length it was trained at (best.pt and step checkpoints record it; older ones used MAX_LEN).
    max_len = int(state.get("max_len") or state.get("args", {}).get("max_len") or MAX_LEN)
    tok = load_tokenizer(max_len=max_len)
    print(f"checkpoint {ckpt_path} (step {state.get('step')}, dev {state.get('dev')})")

    fp32, int8 = args.out / "reranker.onnx", args.out / "reranker-int8.onnx"
    sample = encode_pairs(tok, ["what is it?", "who?"], ["It is a sample sentence.", "Someone."])
    dynamic = {k: {0: "batch", 1: "tokens"} for k in INPUTS}
    dynamic["score"] = {0: "batch"}
    torch.onnx.export(
        model,
        tuple(sample[k] for k in INPUTS),
        str(fp32),
        input_names=list(INPUTS),
        output_names=["score"],
        dynamic_axes=dynamic,
        opset_version=args.opset,
        dynamo=False,  # the TorchScript exporter: no onnxscript dependency, a plain static graph
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
    shutil.copy(base_model_dir() / "tokenizer.json", args.out / "tokenizer.json")
    for p in (fp32, int8):
        print(f"wrote {p} ({p.stat().st_size / 1e6:.1f} MB)")

    # The check: held-out dev pairs, whole groups, through torch, ONNX float and ONNX int8.
    questions, texts, sizes = [], [], []
    reads_before = False  # trained on groups that carry the sentence before each (prepare_data.py)
    with (args.data / "dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            g = json.loads(line)
            reads_before = reads_before or any(g.get("contexts") or ())
            questions += [g["question"]] * len(g["texts"])
            texts += pair_texts(g)
            sizes.append(len(g["texts"]))
            if len(texts) >= args.pairs:
                break
    with torch.no_grad():
        ref = np.concatenate(
            [
                model(**encode_pairs(tok, questions[i : i + 32], texts[i : i + 32])).numpy()
                for i in range(0, len(texts), 32)
            ]
        )
    f_sess, q_sess = ort_session(fp32, args.threads), ort_session(int8, args.threads)
    t = time.monotonic()
    f_scores = ort_scores(f_sess, tok, questions, texts)
    f_time = time.monotonic() - t
    t = time.monotonic()
    q_scores = ort_scores(q_sess, tok, questions, texts)
    q_time = time.monotonic() - t

    def spearman(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1])

    meta_path = args.data / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    sources = meta.get("sources") or [meta.get("source", "SelQA (Apache-2.0)")]
    report = {
        "checkpoint": str(ckpt_path),
        "step": state.get("step"),
        "dev_at_checkpoint": state.get("dev"),
        "pairs_checked": len(texts),
        "groups_checked": len(sizes),
        "torch_vs_onnx_float_max_abs_diff": float(np.abs(ref - f_scores).max()),
        "float_vs_int8_pearson": float(np.corrcoef(f_scores, q_scores)[0, 1]),
        "float_vs_int8_spearman": spearman(f_scores, q_scores),
        "acc1_float": acc1(f_scores, sizes),
        "acc1_int8": acc1(q_scores, sizes),
        "pairs_per_s_float": len(texts) / f_time,
        "pairs_per_s_int8": len(texts) / q_time,
        "inputs": list(INPUTS),
        "max_len": max_len,
        "text_pair": ("question, sentence [SEP] sentence before" if reads_before else "question, sentence")
        + " (tokenizer.json truncates longest-first; truncate to max_len)",
        "licence": "weights fine-tuned from all-MiniLM-L6-v2 (Apache-2.0) on: " + "; ".join(sources),
    }
    (args.out / "export.json").write_text(json.dumps(report, indent=1) + "\n")
    for k in list(report)[4:12]:
        v = report[k]
        print(f"  {k}: {v:.4f}" if isinstance(v, float) else f"  {k}: {v}")
    if report["float_vs_int8_pearson"] < 0.99:
        print("WARNING: int8 scores drift from float (correlation < 0.99): ship the float model or re-check")


if __name__ == "__main__":
    main()
