"""Pure core of the care programme: exercise sessions by phase and region, progression with a
pain-monitoring rule, the flare plan, adaptation from daily check-ins, lesson order and the weekly
actions of the plan, and the stick-figure drawings of the exercises. No I/O beyond reading the
packaged knowledge files."""
