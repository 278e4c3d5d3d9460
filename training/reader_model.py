"""The answer reader in plain torch: the re-ranker's MiniLM encoder + a start/end head on every token.

It reads "question [SEP] sentence" and gives each token a start and an end logit; the answer is
the best start..end span of the sentence. Position 0 ([CLS]) stands for "this sentence holds no
answer" (as in SQuAD 2.0 readers): the model learns it on sentences that do not answer, and at
run time the span's lead over it is what askdoc's answer confidence reads.
"""

from __future__ import annotations

from pathlib import Path

import torch
from reranker_model import BertConfig, Body, CrossEncoder


class SpanReader(Body):
    """Start and end logits for each token of a (question, sentence) pair."""

    def __init__(self, c: BertConfig):
        super().__init__(c)
        self.span = self.new_head(2)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self.span(self.hidden_states(input_ids, attention_mask, token_type_ids))
        pad = (1 - attention_mask).to(logits.dtype) * -1e4  # padding is never a start or an end
        return logits[..., 0] + pad, logits[..., 1] + pad


def from_checkpoint(path: Path) -> SpanReader:
    """A reader from a reader checkpoint (a later round goes on from it), or else from a
    re-ranker checkpoint (:func:`from_reranker`)."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    if "span.weight" not in state["model"]:
        return from_reranker(path)
    reader = SpanReader(BertConfig(**state["config"]) if "config" in state else BertConfig())
    reader.load_state_dict(state["model"])
    return reader


def from_reranker(path: Path) -> SpanReader:
    """A reader whose encoder starts from a re-ranker checkpoint (it already reads questions
    against sentences); the span head is new."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    ranker = CrossEncoder(BertConfig(**state["config"]) if "config" in state else BertConfig())
    ranker.load_state_dict(state["model"])
    reader = SpanReader(ranker.config)
    reader.embeddings.load_state_dict(ranker.embeddings.state_dict())
    reader.encoder.load_state_dict(ranker.encoder.state_dict())
    return reader
