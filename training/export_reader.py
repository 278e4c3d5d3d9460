"""Export a reader checkpoint to ONNX (float, then dynamic int8) and check int8 against float.

The same recipe as ``export_onnx.py`` (per-channel int8 with reduce_range), for the reader's
two outputs, start and end logits per token. The check reads the dev split of
``train_reader.py`` through torch, ONNX float and ONNX int8, and prints span F1 and the
"no answer" rates of each: int8 must stay within a point of float to ship.

    python training/export_reader.py --rows squad11_train.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

import torch
from export_onnx import ort_session
from reader_model import SpanReader
from reranker_model import BertConfig, add_path_args, load_tokenizer
from train_reader import encode, evaluate, examples, is_dev, sentences_before

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxReader:
    """An ONNX session that answers like :class:`SpanReader` (for ``evaluate``)."""

    def __init__(self, path: Path, threads: int = 2):
        self.session = ort_session(path, threads)

    def __call__(self, **inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s, e = self.session.run(None, {k: inputs[k].numpy() for k in INPUTS})
        return torch.from_numpy(s), torch.from_numpy(e)

    def eval(self) -> None:
        pass

    train = eval


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_path_args(ap)
    ap.add_argument("--rows", type=Path, required=True, help="the SQuAD rows train_reader.py read (for its dev split)")
    ap.add_argument("--ckpt", type=Path, default=None, help="default: WORK/reader-ckpt/best.pt")
    ap.add_argument("--out", type=Path, default=None, help="default: WORK/export")
    ap.add_argument("--dev-questions", type=int, default=300)
    ap.add_argument("--context", action="store_true", help="the reader was trained with the sentence before")
    ap.add_argument("--opset", type=int, default=17)
    args = ap.parse_args()
    args.ckpt = args.ckpt or args.work / "reader-ckpt" / "best.pt"
    args.out = args.out or args.work / "export"
    args.out.mkdir(parents=True, exist_ok=True)

    state = torch.load(args.ckpt, map_location="cpu", weights_only=False)
    model = SpanReader(BertConfig(**state["config"]))
    model.load_state_dict(state["model"])
    model.eval()
    max_len = int(state.get("max_len", 128))
    tok = load_tokenizer(max_len=max_len)
    print(f"checkpoint {args.ckpt} (step {state.get('step')}, dev {state.get('dev')})")

    fp32, int8 = args.out / "reader.onnx", args.out / "reader-int8.onnx"
    sample, _, _, _ = encode(tok, [{"question": "who?", "text": "Someone did it.", "span": None}])
    dynamic = {k: {0: "batch", 1: "tokens"} for k in (*INPUTS, "start_logits", "end_logits")}
    torch.onnx.export(
        model,
        tuple(sample[k] for k in INPUTS),
        str(fp32),
        input_names=list(INPUTS),
        output_names=["start_logits", "end_logits"],
        dynamic_axes=dynamic,
        opset_version=args.opset,
        dynamo=False,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
    for p in (fp32, int8):
        print(f"wrote {p} ({p.stat().st_size / 1e6:.1f} MB)")

    rows = [json.loads(line) for line in args.rows.open(encoding="utf-8") if line.strip()]
    dev_rows = [r for r in rows if is_dev(r["title"])]
    dev = examples(
        random.Random(13).sample(dev_rows, min(args.dev_questions, len(dev_rows))),
        1.0,
        random.Random(13),
        Counter(),
        sentences_before(rows) if args.context else None,
    )
    report = {"checkpoint": str(args.ckpt), "step": state.get("step"), "max_len": max_len, "dev_pairs": len(dev)}
    for name, m in (("torch", model), ("onnx_float", OnnxReader(fp32)), ("onnx_int8", OnnxReader(int8))):
        with torch.no_grad():
            report[name] = evaluate(m, tok, dev)
        print(f"  {name}: {report[name]}")
    (args.out / "export-reader.json").write_text(json.dumps(report, indent=1) + "\n")
    if report["onnx_int8"]["f1"] < report["onnx_float"]["f1"] - 0.01:
        print("WARNING: int8 loses more than a point of span F1: ship the float model or re-check")


if __name__ == "__main__":
    main()
