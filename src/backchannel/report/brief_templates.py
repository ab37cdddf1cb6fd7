"""Sentence templates of the brief. Each is filled with numbers the tool computed, and chosen
by a computed condition (see :mod:`backchannel.report.brief`); none is printed as is."""

TITLE = "Brief: {title}"
ILLUSTRATIVE = (
    "The timeline of this scenario is illustrative: its dates and effect sizes are modelling "
    "assumptions ({events} events, {indicators} indicators), not data."
)

HAPPENS = "What happens"
ZONE_OPEN = (
    "{zopa:,} of the {outcomes:,} possible deals ({share:.1%}) leave every side at least as "
    "well off as walking away, so a zone of possible agreement exists."
)
ZONE_CLOSED = (
    "None of the {outcomes:,} possible deals leaves every side at least as well off as walking "
    "away: there is no zone of possible agreement today."
)
NASH = "The Nash bargaining deal gives {gains}; its terms are: {terms}."
PACKAGE_IN = "{name} is inside the zone: it gives {gains}."
PACKAGE_OUT = "{name} is outside the zone: {short} would rather walk away (short by {gap})."
RUNS_AGREE = (
    "Over {runs} simulated negotiations through {route}, {rate} ended in a deal, "
    "after a median of {days:.0f} days; the sides' mean payoffs were {payoffs}."
)
RUNS_NONE = (
    "Over {runs} simulated negotiations through {route}, none ended in a deal within "
    "{deadline:.0f} days (95% interval for the rate: {interval}); each side kept its walk-away "
    "value ({payoffs})."
)

MATTERS = "Why it matters"
INDIRECTION_SLOWER = (
    "Indirection costs time: a direct line would have closed a deal in a median of "
    "{direct_days:.0f} days instead of {shuttle_days:.0f} ({ratio:.1f} times as fast)."
)
INDIRECTION_RATE = (
    "Talking directly would change the agreement rate from {shuttle_rate} to "
    "{direct_rate} over the same {runs} runs."
)
INDIRECTION_UNCLEAR_RATE = (
    "{runs} runs cannot tell whether talking directly changes the agreement rate: "
    "{shuttle_rate} through the intermediary, {direct_rate} directly (more runs, "
    "`--runs`, narrow the intervals)."
)
INDIRECTION_PRICE = (
    "{name} would pay a domestic price of {cost:.2f} for direct talks, so its mean payoff would "
    "be {direct:.3f} directly against {shuttle:.3f} through the intermediary."
)
WINDOW_ALWAYS = (
    "As the timeline stands, the window stays open at all {samples} times sampled from "
    "{start} to {end}, with {deals} possible."
)
WINDOW_CLOSES = (
    "As the timeline stands, the window closes around {date} (day {day:.0f}); "
    "it is open on {open:.0%} of the days to the deadline."
)
WINDOW_NEVER = "As the timeline stands, no deal is possible at any of the {samples} times sampled."
EVENT_CLOSES = (
    "{name} ({when}) would close the window: {base:,} deals possible at the deadline become 0."
)
EVENT_OPENS = "{name} ({when}) would open a window: 0 deals possible become {variant:,}."
EVENT_MOVES = (
    "{name} ({when}) would {verb} the zone at the deadline from {base:,} to {variant:,} deals "
    "({change:+.0%}); {rates}"
)
EVENT_KEEPS = "{name} ({when}) would leave the zone at the deadline at {base:,} deals; {rates}"
EVENT_RATE_MOVES = "the agreement rate would go from {base_rate} to {rate}."
EVENT_RATE_UNCLEAR = (
    "the runs cannot tell its effect on the agreement rate apart from chance: without it "
    "{base_rate}, with it {rate}."
)

WATCH = "What to watch"
INDICATOR_THRESHOLD = (
    "{name}: now {now:.3g} {unit}. If it reached {threshold:.3g} by the deadline, the window "
    "would {what}. Watch {watch}."
)
INDICATOR_NO_THRESHOLD = (
    "{name}: now {now:.3g} {unit}. Anywhere from {low:.3g} to {high:.3g} by the deadline, "
    "the window stays {state} ({deals} possible). Watch {watch}."
)
EVENT_SIGNAL = "{name}: the window's size at the deadline moves by {change:+.0%} if it happens."
EVENT_SIGNAL_NONE = "{name}: the window's size at the deadline does not move if it happens."
