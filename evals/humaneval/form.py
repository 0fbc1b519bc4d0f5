"""What annotators and the study lead get: the HTML form, the spreadsheet and the instructions.

The form is one self-contained file (the Jinja2 template ``evals/templates/form.html.j2``, with
inline CSS and JS and a Content-Security-Policy that forbids any network access), so it works from
``file://`` on any machine. The study's blinded items are embedded as JSON in a ``<script
type="application/json">`` block by Jinja2's ``tojson`` filter, which writes ``<``, ``>``, ``&`` and
``'`` as JSON escapes, so no dialogue text can close the block; and the page only ever assigns
dialogue text with ``textContent``: untrusted text is shown, never parsed as HTML.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from llm_roleplay.evals.humaneval.blinding import transcript
from llm_roleplay.evals.humaneval.study import CSV_FILE, FORM_FILE, ITEMS_FILE, KEY_FILE, README_FILE
from llm_roleplay.evals.templating import render

CSV_COLUMNS = ("item_id", "dialogue", "answer", "confidence", "comment")


def render_form(items_document: Mapping[str, Any]) -> str:
    """The annotation form for ``items.json``'s content (``evals/templates/form.html.j2``)."""
    return render("form.html.j2", study=items_document)


def render_csv(items: Sequence[Mapping[str, Any]]) -> str:
    """items.csv: one row per item, the dialogue as a ``User: ... / Assistant: ...`` transcript."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow([item["item_id"], transcript(item["messages"]), "", "", ""])
    return buffer.getvalue()


def render_readme(
    *, study_id: str, n_simulated: int, n_real: int, match: str, seed: int, mean_turns: Mapping[str, float]
) -> str:
    """Instructions for the study lead (who sees the key): how to run the study and score it."""
    total = n_simulated + n_real
    return f"""Human evaluation study {study_id}
{"=" * (len("Human evaluation study ") + len(study_id))}

{total} conversations: {n_simulated} with a simulated user and {n_real} with a real one, shuffled
(seed {seed}), matched on: {match}. Mean user turns: simulated {mean_turns["simulated"]:.2f},
real {mean_turns["real"]:.2f}.

Files
-----
{FORM_FILE}    the annotation form: give it to every annotator (it opens in any browser,
             offline; answers are kept in that browser until exported)
{CSV_FILE}    the same conversations for a spreadsheet, for annotators who prefer one: fill in
             the answer (human / model), confidence (1-5) and comment columns, save as CSV named
             after the annotator (e.g. alice.csv); keep the item_id and dialogue columns
{ITEMS_FILE}   the blinded conversations (what the form shows)
{KEY_FILE}     THE ANSWER KEY: which conversation is which. Never give it to annotators.
{README_FILE}   this file (it is for you, not for the annotators: it says how the mix is made)

Running the study
-----------------
1. Give each annotator {FORM_FILE} (or {CSV_FILE}), nothing else from this directory. Do not tell
   them how many conversations are simulated: "some are" is enough.
2. Each annotator works alone, enters their name, answers every conversation, presses
   "Export answers" and sends you the downloaded answers-NAME-{study_id}.json. Answers are kept
   in the browser per study: on a shared computer, the next annotator presses "Start over" (or
   uses another browser profile) after the previous one has exported.
3. Score all answer files together (two or more annotators also give agreement figures):

     roleplay humaneval score STUDY answers-alice-{study_id}.json answers-bob-{study_id}.json

   It prints a summary and writes STUDY/score.json: the share of simulated conversations judged
   human (the paper's "undetected" rate) with 95% confidence intervals, accuracy on real ones,
   per-annotator figures, Cohen's and Fleiss' kappa, and breakdowns by persona attribute, domain,
   length, inquirer model and confidence.
4. Optional: compare an automatic judge with the humans. Run, before scoring,

     roleplay humaneval judge STUDY --judge openai:gpt-4o     (any model spec; fake for a dry run)

   which asks the human-likeness judge about every item of {ITEMS_FILE} (exactly what the humans
   saw) and writes STUDY/auto.json; score then reports how often the judge agrees with the
   annotators' majority, and Cohen's kappa. Verdicts from elsewhere: --auto FILE, a JSON object
   mapping item id (e.g. "item-01") or original dialogue id to "human" or "model", or the
   eval.json of 'roleplay eval DIR --judge SPEC' (simulated items only, judged on the raw text).

Blinding
--------
Items carry only an opaque id and their messages. Ids, personas, goals, termination reasons,
model names and settings are in {KEY_FILE} only. Both sources' texts were normalised the same way
(quotes, spaces, line ends, role labels, wrapping quotes; greetings before the user's first message
and a last unanswered user message dropped) so that formatting does not give the source away.
Wording was not changed. The assistant side matters too: real conversations answered by a
different chatbot than the simulated ones can be told apart by the assistant alone.
"""
