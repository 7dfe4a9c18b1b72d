"""Fengqiao text analysis: normalisation, segmentation, routing, similar
cases, hot topics and risk.  Pure Python; never imports Django.

Library choices (measured on a 2-core machine):

* Segmentation: **jieba** (MIT, the de-facto standard dictionary + HMM for
  unknown words such as estate names).  When **jieba-fast-dat** is installed
  we use it instead: same API, same dictionary, C++ core, ~10x faster
  (0.46 ms vs 4.6 ms for a 400-character message); rjieba is not on the
  package index we can reach.  The tokenizer is created once, quietly, and
  caches its dictionary in the temp dir (``FENGQIAO_JIEBA_CACHE_DIR``).
* Traditional -> simplified: **opencc-python-reimplemented** (pure Python,
  ships its dictionaries).  It is slow (~0.5 ms per message), so we first
  check whether the text contains any character OpenCC would change and
  skip the conversion otherwise (~45 us per message; nearly all input is
  already simplified).
* Routing: our own hierarchical multinomial naive Bayes in numpy rather
  than scikit-learn: it must start from a hand-written lexicon with no
  labelled data, learn one dispatcher decision at a time (``learn``) and
  serialise to plain JSON.  Learned counts are blended with the lexicon
  per class (the lexicon fades as a class gathers decisions) and smoothed
  towards a shared background so big classes do not swallow common words.
  Optional EM over an unlabelled batch exists but is off by default (it
  did not help on our dev samples).  Only the first 300 characters are
  read (latency bound; accuracy unchanged within noise).
* Similar cases: our own bottom-k sketch of character bigrams plus an
  inverted index in sorted numpy arrays, instead of datasketch's MinHash
  LSH: one sketch per case instead of 128 hash values, vectorised batch
  building (1M cases in about a minute), region/time filters applied on
  the candidate set, and a pickle-free ``.npz`` file.
* Topics: TF-IDF over words + average-linkage clustering (scipy), with
  name-like words (estate, road, school, company) weighted up.

Modules: ``normalize``, ``segment``, ``lexicon``, ``routing``, ``similar``,
``topics``, ``risk``, ``evaluation``, ``cli``, ``bench``, ``xlsx``.
"""

from .normalize import normalize
from .risk import Risk, assess_risk
from .routing import ModelLoadError, RoutingModel, Suggestion, Taxonomy, TaxonomyError
from .segment import Segmenter, segment
from .similar import RepeatFlags, SimilarIndex, repeat_flags
from .topics import Doc, Topic, hot_topics, problem_list
from .xlsx import InputError

__all__ = [
    "normalize", "segment", "Segmenter",
    "Taxonomy", "TaxonomyError", "RoutingModel", "Suggestion", "ModelLoadError",
    "SimilarIndex", "repeat_flags", "RepeatFlags",
    "Doc", "Topic", "hot_topics", "problem_list",
    "Risk", "assess_risk", "InputError",
]
