"""askdoc: ask a document a question; get the sentences that answer it, ranked."""

from .api import Index, ask
from .errors import ExitCode, InputError
from .model import Answer, Document, Evidence, Sentence

__all__ = ["Answer", "Document", "Evidence", "ExitCode", "Index", "InputError", "Sentence", "ask"]
__version__ = "0.1.0"
