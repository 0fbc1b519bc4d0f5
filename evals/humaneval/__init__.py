"""Human evaluation kit: the paper's indistinguishability study, runnable by anyone.

Can people tell a simulated user from a real one? ``roleplay humaneval prepare`` draws a balanced,
blinded, shuffled mix of simulated dialogues (from a ``roleplay generate`` directory) and real
ones (OpenAI messages JSONL or ShareGPT JSON), and writes a study directory:

    STUDY/items.json   the blinded items: opaque ids and normalised messages, nothing else
    STUDY/form.html    a self-contained annotation form (works from file://, no network)
    STUDY/items.csv    the same items for spreadsheets (answer / confidence / comment columns)
    STUDY/key.json     item id -> source, original id, persona, domain, ... (never shown to annotators)
    STUDY/README.txt   instructions for the study lead

``roleplay humaneval judge STUDY --judge SPEC`` optionally asks the automatic human-likeness judge
of :mod:`evals.judges` about the same items (STUDY/auto.json).

``roleplay humaneval score STUDY ANSWERS...`` reads the annotators' answer files (the form's
JSON export or a filled-in items.csv), and reports the paper's headline figure — the share of
simulated dialogues judged human — with confidence intervals, per-annotator figures, agreement
(Cohen's and Fleiss' kappa), breakdowns, and agreement of an automatic judge with the humans.

Modules: :mod:`.blinding` (text normalisation), :mod:`.sources` (reading both sources),
:mod:`.prepare` (the mix), :mod:`.form` (HTML and CSV), :mod:`.study` (the study files),
:mod:`.answers` (reading answers), :mod:`.agreement` (kappas, Wilson interval), :mod:`.auto`
(automatic verdicts), :mod:`.score`, :mod:`.report` (the printed summary), :mod:`.command` (the CLI).
"""
