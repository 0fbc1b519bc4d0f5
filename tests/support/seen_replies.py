"""Replies of the embedded chatbot seen in reading runs, shared by the tests of the user's reading
(intents) and of the goal check (checkable)."""

TOTAL_REPLY = (
    "To calculate the total amount of feed given to the chickens in a day, we need to add the amount "
    "of feed given in the morning and the amount of feed given in the afternoon.\n\n"
    "1. Identify the amount of feed given in the morning: 15 cups\n"
    "2. Identify the amount of feed given in the afternoon: 25 cups\n"
    "3. Add the two amounts together.\n\n"
    "15 cups + 25 cups = 40 cups\n\n"
    "Therefore, the total amount of feed given to the chickens in a day is 40 cups."
)
# Seen on 2026-11-28: the final meal answered step for step as the total, and taken as delivered.
FINAL_MEAL_AS_TOTAL = (
    "To determine how many cups of feed you need to give your chickens in the final meal of the day, "
    "we need to add the amount of feed given in the morning and the amount of feed given in the "
    "afternoon.\n\n"
    "1. Identify the amount of feed given in the morning: 15 cups\n"
    "2. Identify the amount of feed given in the afternoon: 25 cups\n"
    "3. Add the two amounts together.\n\n"
    "15 cups + 25 cups = 40 cups\n\n"
    "Therefore, the feed you need to give your chickens in the final meal of the day is 40 cups."
)
FINAL_MEAL_RIGHT = (
    "Your 20 chickens eat 3 cups each, 60 cups a day. They had 15 + 25 = 40 cups, so the final "
    "meal needs 60 - 40 = 20 cups."
)
CHICKEN_PARTS = [
    "Calculate the total amount of feed given to the chickens in a day.",
    "Determine the amount of feed needed for the final meal of the day.",
]
