"""Calories no body burns: "50 meters in 15 seconds: 2304.75 calories".

The paper's speeds goal asks for the calories burned in each race. The embedded chatbot multiplied
weight, heart rate and seconds and answered 2,304 calories for a 15-second sprint (a day's food),
and the user took it (grid run of the evening of 2026-11-29). A person knows a sprint burns a few
calories, not thousands. A line that gives a time and a calorie figure for it is checked against
the most a person can burn: about 20 kcal a minute for elite endurance athletes, so 30 a minute
leaves room for any formula a chatbot may use. None of the 33,620 replies of ShareGPT's first 8,800
conversations has such a line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from llm_roleplay.nodes.checks import NUMBER, number_value
from llm_roleplay.nodes.own_facts import distances_run, race_times

MAX_KCAL_PER_MINUTE = 30.0
_TIME = re.compile(rf"({NUMBER})\s*(seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h)\b", re.IGNORECASE)
_CALORIES = re.compile(rf"({NUMBER})\s*(?:k?cal(?:ories)?|kcal)\b", re.IGNORECASE)
_MINUTES = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "second": 1 / 60,
    "min": 1.0,
    "minute": 1.0,
    "h": 60.0,
    "hr": 60.0,
    "hour": 60.0,
}


def impossible_burn(reply: str, known: Sequence[str] = ()) -> str | None:
    """ "2304.75 calories in 15 seconds is more than anyone burns" for the first line of ``reply``
    that gives a time and more calories for it than a body can burn, or None. A line that names a
    race instead of its time ("- 200-meter race: 717 calories") takes the time the ``known`` texts
    (the user's messages) give for that race (grid run of the night of 2026-11-29: 717 calories for
    41.3 seconds, taken)."""
    timed = {distance: seconds for text in known for distance, seconds in race_times(text)}
    for line in reply.splitlines():
        times, burns = _TIME.findall(line), _CALORIES.findall(line)
        if len(burns) != 1:
            continue
        (calories,) = burns
        if len(times) == 1:
            amount, unit = times[0]
            minutes = number_value(amount) * _MINUTES[unit.lower().rstrip("s") or "s"]
        elif not times and len(races := distances_run(line)) == 1 and (race := races.pop()) in timed:
            amount, unit = f"{timed[race]:g}", "seconds"
            minutes = timed[race] / 60
        else:
            continue
        if minutes > 0 and number_value(calories) / minutes > MAX_KCAL_PER_MINUTE:
            return f"{calories} calories in {amount} {unit} is more than anyone burns"
    return None
