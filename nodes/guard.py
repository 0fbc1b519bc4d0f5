"""The per-message guard: the first reason a user message must not be sent, or None.

One function for both places that judge a user message: the inquirer, which regenerates a message
that fails (counting why), and the quality filter, which drops a dialogue that still has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from llm_roleplay.nodes.checks import Problem, breaks_role, is_cut_off, is_empty, leaks, repeats
from llm_roleplay.nodes.drift import asks_ahead, asks_the_opposite, contradicts_persona, off_goal
from llm_roleplay.nodes.exclusions import (
    complains_of_what_is_not_there,
    excluded_things,
    invents_a_restriction,
    wants_the_excluded,
)
from llm_roleplay.nodes.own_facts import (
    changes_own_race_times,
    claims_the_replies_facts,
    implausible_race_times,
    misstates_the_goals_figures,
    refers_to_data_never_given,
    strays_from_noted_races,
    takes_own_things_for_the_chatbots,
    withholds_own_data,
)
from llm_roleplay.nodes.time_split import states_another_split
from llm_roleplay.nodes.voice import (
    asks_the_chatbot_to_act,
    borrows_complaint_topics,
    confuses_roles,
    copies_example,
    copies_instructions,
    echoes,
    greets_again,
    speaks_of_a_chatbot,
    writes_to_someone_else,
)


@dataclass(frozen=True)
class Situation:
    """What a user message is checked against."""

    goal: str
    persona_description: str = ""
    traits: Sequence[str] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)
    turn: int = 1  # the message's turn, counting user messages from 1
    previous_user_messages: Sequence[str] = ()
    recent_replies: Sequence[str] = ()  # the chatbot's last replies, oldest first
    related_texts: Sequence[str] = ()  # goal parts, expected outcome: what the dialogue is about
    own_details: str = ""  # the results the user noted (own_details): their figures, like the goal's
    due_parts: Sequence[str] = ()  # the goal parts asked for so far, the current one included
    later_parts: Sequence[str] = ()  # the goal parts not due yet
    examples: Sequence[str] = ()  # example messages shown in the prompt, which must not be copied
    complaint_examples: Sequence[str] = ()  # example complaints shown, whose topics are not the user's
    instructions: Sequence[str] = ()  # the prompt's instructions, which must not be copied either
    leak_persona_words: int = 8
    leak_goal_fraction: float = 0.6

    @property
    def own_texts(self) -> list[str]:
        """What the user has of their own beyond the goal: the results they noted and what they typed."""
        return [text for text in (self.own_details, *self.previous_user_messages) if text]

    @property
    def asked_so_far(self) -> list[str]:
        """What the dialogue has already brought up: a later part's words here are not asking ahead."""
        return [*self.due_parts, *self.previous_user_messages, *self.recent_replies]


def message_problem(message: str, situation: Situation) -> Problem | None:
    """The first reason to reject ``message``; checks run from the plainest failure to the subtlest."""
    if is_empty(message):
        return Problem.EMPTY
    if breaks_role(message):
        return Problem.ROLE_BREAK
    if is_cut_off(message):
        return Problem.CUT_OFF
    if repeats(message, situation.previous_user_messages):
        return Problem.REPEAT
    last_reply = situation.recent_replies[-1] if situation.recent_replies else ""
    if (
        confuses_roles(message, last_reply, situation.goal)
        or writes_to_someone_else(message, situation.goal)
        or asks_the_chatbot_to_act(message, situation.goal)
        or speaks_of_a_chatbot(message, situation.goal)
        or takes_own_things_for_the_chatbots(message, situation.goal, situation.related_texts)
        or refers_to_data_never_given(message, situation.previous_user_messages)
    ):
        return Problem.ROLE_CONFUSION
    if (
        echoes(message, situation.recent_replies, situation.goal, situation.own_texts)
        or copies_example(
            message,
            situation.examples,
            dialogue=[situation.goal, *situation.own_texts, *situation.recent_replies],
        )
        or copies_instructions(message, situation.instructions)
        or claims_the_replies_facts(message, situation.recent_replies, [situation.goal, *situation.own_texts])
        or borrows_complaint_topics(
            message,
            situation.complaint_examples,
            [situation.goal, *situation.related_texts, *situation.own_texts, *situation.recent_replies],
        )
    ):
        return Problem.ECHO
    if greets_again(message, situation.turn):
        return Problem.GREETING_AGAIN
    if leaks(
        message,
        situation.persona_description,
        situation.goal,
        situation.leak_persona_words,
        situation.leak_goal_fraction,
        situation.traits,
    ):
        return Problem.LEAK
    if situation.attributes and contradicts_persona(message, situation.attributes):
        return Problem.PERSONA_DRIFT
    if withholds_own_data(message, situation.goal):
        return Problem.WITHHOLDS_DATA
    left_out = excluded_things([situation.goal])  # what the goal leaves out ("without eggs")
    if (
        misstates_the_goals_figures(message, situation.goal)
        or implausible_race_times(message)
        or changes_own_race_times(message, situation.own_texts)
        or strays_from_noted_races(message, situation.own_details)
        or wants_the_excluded(message, left_out)
        or asks_the_opposite(message, situation.goal, left_out)
        or states_another_split(message, [situation.goal, *situation.related_texts])
        or invents_a_restriction(
            message,
            [
                situation.goal,
                *situation.related_texts,
                *situation.previous_user_messages,
                *situation.recent_replies,
            ],
        )
    ):
        return Problem.CONTRADICTS_GOAL
    if complains_of_what_is_not_there(message, last_reply, left_out):
        return Problem.FALSE_COMPLAINT
    if situation.later_parts and asks_ahead(message, situation.asked_so_far, situation.later_parts):
        return Problem.FRONT_LOADING
    if situation.turn > 1 and off_goal(
        message,
        [
            situation.goal,
            *situation.related_texts,
            *situation.previous_user_messages,
            *situation.recent_replies,
        ],
    ):
        return Problem.OFF_GOAL
    return None
