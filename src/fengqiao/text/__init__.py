"""Fengqiao text analysis: normalisation, segmentation, routing, similar
cases, hot topics and risk.  Pure Python; never imports Django.

Library choices (measured on a 2-core machine):

* Segmentation: **jieba** (MIT, the de-facto standard dictionary + HMM for
  unknown words such as estate names).  jieba-fast-dat (same API, C++ core,
  ~10x faster) is used only when ``FENGQIAO_SEGMENTER=jieba_fast_dat`` is set,
  since its package declares no licence; rjieba is not on the package index
  we can reach.  The tokenizer is created once, quietly, and
  caches its dictionary in the temp dir (``FENGQIAO_JIEBA_CACHE_DIR``).
* Traditional -> simplified: **opencc-python-reimplemented** (pure Python,
  ships its dictionaries).  It is slow (~0.5 ms per message), so we first
  check whether the text contains any character OpenCC would change and
  skip the conversion otherwise (~45 us per message; nearly all input is
  already simplified).
* Routing, in numpy rather than scikit-learn (it must start from a
  hand-written lexicon with no labelled data, learn one dispatcher decision
  at a time and serialise to plain JSON): levels 2 and 3 are multinomial
  naive Bayes blended with the lexicon; level 1 adds a class-balanced
  logistic regression over character 1–3 grams and words whose inputs
  include the lexicon's scores with a learned scale, so the lexicon decides
  with few decisions and the learned weights take over with many.  ``learn``
  takes one cheap gradient step; a full refit runs when the stored examples
  have grown by a quarter, and on ``refit()``/``save()``.  The naive Bayes
  features read the first 600 characters, the learned head the first 1,000
  (latency bound).  Before any decisions, ``self_train`` learns from the
  cases the table-only model is sure of (a cold-start step).
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
