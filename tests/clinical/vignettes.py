# ruff: noqa: E501
"""Clinical vignettes: who the person is, what they answered, and what backcare must say.

Each vignette starts from a typical person (40 years old, 2 weeks of low back pain after
gardening, every warning sign answered "no", backcare's own questions answered) and changes a few
answers. ``None`` means "don't know". The suite runs every vignette through the assessment core,
the web wizard's page logic and ``backcare assess --answers``, and checks the urgency and that no
unsafe line appears (see ``test_vignettes.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.clinical.answer_sets import TRIAGE_IDS


def typical(**changes: object) -> dict[str, object]:
    """The typical person; keyword arguments change answers (``__`` stands for the dot)."""
    answers: dict[str, object] = {tid: False for tid in TRIAGE_IDS}
    answers.update(
        {
            "pain.region": "low_back",
            "profile.age": 40,
            "pain.duration_weeks": 2,
            "pain.leg_below_knee": False,
            "self.limits": 1,
            "self.work_affected": False,
            "self.desk_work": True,
            "self.sleep_poor": False,
            "self.worry_damage": False,
            "self.worry_never_better": False,
            "self.low_mood": False,
            "nrs.average_week": 4,
        }
    )
    for key, value in changes.items():
        answers[key.replace("__", ".")] = value
    return answers


@dataclass(frozen=True)
class Vignette:
    name: str
    answers: dict[str, object]
    urgency: str
    #: Rule ids that must fire.
    fires: tuple[str, ...] = ()
    #: Plan line ids that must not be shown as advice (recommended or prevention).
    never: tuple[str, ...] = ()
    #: Plan line ids that must be shown (recommended, disputed or not recommended).
    shows: tuple[str, ...] = ()
    #: Questions the interview must not ask.
    not_asked: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())


_MANIPULATION = ("neck.manual_therapy",)

VIGNETTES: tuple[Vignette, ...] = (
    Vignette("typical person, no warning signs", typical(), "self_care",
             shows=("lbp.stay_active", "lbp.acupuncture", "lbp.anticonvulsants"),
             not_asked=("triage.axspa_morning_stiffness", "pain.onset_age", "triage.hand_clumsiness")),
    Vignette("nothing answered at all", {}, "same_day"),
    Vignette("saddle numbness", typical(triage__saddle_numbness=True), "emergency", fires=("cauda_equina",)),
    Vignette("new bladder or bowel trouble", typical(triage__bladder_bowel_new=True), "emergency", fires=("cauda_equina",)),
    Vignette("symptoms in both legs", typical(triage__bilateral_leg_symptoms=True), "emergency", fires=("cauda_equina",)),
    Vignette("new sexual dysfunction", typical(triage__sexual_dysfunction_new=True), "emergency", fires=("cauda_equina",)),
    Vignette("saddle numbness unknown", typical(triage__saddle_numbness=None), "same_day"),
    Vignette("bladder unknown", typical(triage__bladder_bowel_new=None), "same_day"),
    Vignette("both legs unknown", typical(triage__bilateral_leg_symptoms=None), "same_day"),
    Vignette("sexual function unknown", typical(triage__sexual_dysfunction_new=None), "same_day"),
    Vignette("all cauda equina signs unknown", typical(triage__saddle_numbness=None, triage__bladder_bowel_new=None, triage__bilateral_leg_symptoms=None, triage__sexual_dysfunction_new=None), "same_day"),
    Vignette("chest pain with breathlessness", typical(triage__chest_pain=True, triage__chest_breathless=True), "emergency", fires=("chest_pain_emergency",)),
    Vignette("chest pain with sweating", typical(triage__chest_pain=True, triage__chest_sweating=True), "emergency", fires=("chest_pain_emergency",)),
    Vignette("chest pain spreading to the arm", typical(triage__chest_pain=True, triage__chest_spreading=True), "emergency", fires=("chest_pain_emergency",)),
    Vignette("chest pain unknown, breathless", typical(triage__chest_pain=None, triage__chest_breathless=True), "emergency", fires=("chest_pain_emergency",)),
    Vignette("chest pain unknown, arm pain", typical(triage__chest_pain=None, triage__chest_spreading=True), "emergency", fires=("chest_pain_emergency",)),
    Vignette("chest pain alone", typical(triage__chest_pain=True), "same_day", fires=("chest_pain_new",)),
    Vignette("chest pain unknown, companions no", typical(triage__chest_pain=None), "same_day"),
    Vignette("chest pain yes, companions unknown", typical(triage__chest_pain=True, triage__chest_breathless=None, triage__chest_sweating=None, triage__chest_spreading=None), "same_day"),
    Vignette("sudden worst headache", typical(triage__sudden_severe_headache=True), "emergency", fires=("vascular_warning",)),
    Vignette("vision or speech problems", typical(triage__vision_speech_swallow=True), "emergency", fires=("vascular_warning",)),
    Vignette("headache unknown", typical(triage__sudden_severe_headache=None), "same_day"),
    Vignette("serious injury", typical(triage__major_trauma=True), "emergency", fires=("major_trauma",)),
    Vignette("neck injury", typical(pain__region="neck", triage__neck_trauma=True), "emergency", fires=("neck_trauma",)),
    Vignette("cancer history with new nerve symptoms", typical(triage__cancer_history=True, triage__new_neuro_symptoms=True), "emergency", fires=("mscc",)),
    Vignette("cancer history with weight loss", typical(triage__cancer_history=True, triage__weight_loss=True), "same_day", fires=("cancer_history_plus",), never=("lbp.stay_active",)),
    Vignette("cancer history alone", typical(triage__cancer_history=True), "within_week", fires=("cancer_history",), never=("lbp.stay_active", "lbp.manual_therapy")),
    Vignette("cancer history unknown, no other cancer or nerve sign", typical(triage__cancer_history=None), "self_care"),
    Vignette("over 50 with night pain", typical(profile__age=55, triage__night_pain=True), "within_week", fires=("cancer_features_combined",)),
    Vignette("over 50 alone", typical(profile__age=55), "routine", fires=("cancer_single_feature",), shows=("lbp.stay_active",)),
    Vignette("fever", typical(triage__fever=True), "same_day", fires=("infection_fever",), never=("lbp.stay_active", "lbp.nsaids")),
    Vignette("fever unknown", typical(triage__fever=None), "same_day"),
    Vignette("injects drugs", typical(triage__iv_drug_use=True), "within_week", fires=("infection_risk",)),
    Vignette("weakened immune system", typical(triage__immunosuppressed=True), "within_week", fires=("infection_risk",)),
    Vignette("weakness getting worse", typical(triage__progressive_weakness=True), "same_day", fires=("progressive_deficit",)),
    Vignette("new numbness in a leg", typical(triage__new_neuro_symptoms=True), "within_week", fires=("neuro_symptoms_new",)),
    Vignette("fall from standing at 75", typical(profile__age=75, triage__minor_trauma=True), "within_week", fires=("fragility_fracture",), never=("lbp.stay_active",)),
    Vignette("minor fall with osteoporosis", typical(profile__age=62, triage__minor_trauma=True, triage__osteoporosis=True), "within_week", fires=("fragility_fracture",)),
    Vignette("minor fall on long-term steroids", typical(triage__minor_trauma=True, triage__long_term_steroids=True), "within_week", fires=("fragility_fracture",)),
    Vignette("sudden severe central pain", typical(triage__sudden_central_pain=True), "within_week", fires=("sudden_central_pain",), never=("lbp.stay_active",)),
    Vignette("upper back pain", typical(pain__region="upper_back"), "routine", fires=("cancer_single_feature",)),
    Vignette("inflammatory: 28, four months, morning stiffness, better with exercise", typical(profile__age=28, pain__duration_weeks=17, triage__axspa_morning_stiffness=True, triage__axspa_better_moving=True), "routine", fires=("inflammatory_back_pain_berlin",)),
    Vignette("inflammatory questions left unknown after four months", typical(profile__age=28, pain__duration_weeks=17, **{f"triage__axspa_{k}": None for k in ("morning_stiffness", "better_moving", "night_waking", "buttock_pain", "alternating_buttock")}), "self_care"),
    Vignette("two-week episode gets no inflammatory questions", typical(profile__age=28), "self_care", not_asked=("triage.axspa_morning_stiffness", "triage.axspa_night_waking")),
    Vignette("sciatica", typical(pain__leg_below_knee=True), "self_care", shows=("sciatica.exercise", "sciatica.nerve_pain_medicines"), never=("lbp.injections_without_sciatica",)),
    Vignette("sciatica with worsening weakness", typical(pain__leg_below_knee=True, triage__progressive_weakness=True), "same_day", fires=("progressive_deficit",)),
    Vignette("sciatica in both legs", typical(pain__leg_below_knee=True, triage__bilateral_leg_symptoms=True), "emergency", fires=("cauda_equina",)),
    Vignette("neck pain, no warning signs", typical(pain__region="neck"), "self_care", shows=("neck.manual_therapy",)),
    Vignette("neck pain with dizziness", typical(pain__region="neck", triage__dizziness=True), "routine", fires=("dizziness",), never=_MANIPULATION),
    Vignette("neck pain, dizziness unknown", typical(pain__region="neck", triage__dizziness=None), "self_care", never=_MANIPULATION),
    Vignette("neck pain with clumsy hands", typical(pain__region="neck", triage__hand_clumsiness=True), "within_week", fires=("myelopathy_signs",), never=_MANIPULATION),
    Vignette("ringing in the ears", typical(triage__tinnitus=True), "routine", fires=("tinnitus",)),
    Vignette("frequent nausea", typical(triage__nausea=True), "routine", fires=("nausea",)),
    Vignette("long-lasting pain", typical(pain__duration_weeks=30, profile__age=48), "self_care", shows=("lbp.opioids.chronic", "lbp.exercise.chronic")),
    Vignette("length of episode unknown", typical(pain__duration_weeks=None), "self_care", shows=("lbp.opioids.chronic", "lbp.opioids.acute")),
    Vignette("worried about damage, low mood", typical(self__worry_damage=True, self__low_mood=True), "self_care", shows=("lbp.education",)),
)  # fmt: skip
