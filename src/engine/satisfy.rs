//! Satisfaction per journey (a score 1-5 from what happened to the customer), the survey view
//! of it, and value at risk (churn chance of the score × the persona's value).

use super::Sim;
use super::state::Journey;
use crate::rng::uniform01;
use crate::scenario::SurveyAfter;
use crate::time::MINUTE;

impl Sim<'_> {
    /// The journey's score: the persona's base, minus weights for extra contacts (the case
    /// owner's follow-up calls at their own, lighter weight), transfers, re-explanations,
    /// minutes waited past the persona's tolerance, abandons, refusals and ending unresolved;
    /// plus a first-contact-resolution and a proactive bonus; within 1..=5.
    pub(super) fn score(&self, jr: &Journey, resolved: bool) -> f64 {
        let m = &self.s.satisfaction;
        let persona = &self.s.personas[usize::from(jr.persona)];
        let over = (jr.waited - persona.effort_tolerance).max(0) as f64 / MINUTE as f64;
        let mut x = persona.satisfaction.unwrap_or(m.base)
            - m.per_extra_contact
                * f64::from(jr.attempts.saturating_sub(1).saturating_sub(jr.follow_ups))
            - m.per_follow_up * f64::from(jr.follow_ups)
            - m.per_transfer * f64::from(jr.transfers)
            - m.per_reexplanation * f64::from(jr.reexplanations)
            - m.per_minute_waiting * over
            - m.per_abandon * f64::from(jr.abandons)
            - m.per_refusal * f64::from(jr.refusals);
        if !resolved {
            x -= m.unresolved;
        } else if jr.attempts == 1 {
            x += m.first_contact;
        }
        if jr.proactive {
            x += m.proactive;
        }
        if jr.public {
            x += self.s.social.satisfaction;
        }
        x.clamp(1.0, 5.0)
    }

    /// Count a journey's final score (at its end, or open when the run stops).
    pub(super) fn count_score(&mut self, jr: &Journey, resolved: bool) {
        let score = self.score(jr, resolved);
        let value = self.s.personas[usize::from(jr.persona)].value;
        let churn = self.s.cost.churn(score);
        let surveyed = self.survey_at_end(jr);
        let i = usize::from(jr.persona) * self.s.reasons.len() + usize::from(jr.reason);
        let t = &mut self.journey_mix[i];
        t.score_sum += score;
        // Nearest whole score (scores are in 1..=5, so + 0.5 and truncation round half up
        // without a libm call).
        t.score_hist[((score + 0.5) as usize).clamp(1, 5) - 1] += 1;
        t.satisfied += u64::from(score >= 4.0);
        t.value_at_risk += churn * value;
        t.call_time += jr.call_time;
        if surveyed {
            t.surveys += 1;
            t.survey_sum += score;
        }
    }

    /// A survey at the journey's end (`after = "journey"`, or a journey no agent ever coded
    /// resolved when not only answered ones are asked): whether the customer answers.
    fn survey_at_end(&mut self, jr: &Journey) -> bool {
        let m = &self.s.satisfaction;
        if jr.surveyed || (m.survey_only_answered && jr.agents_met == 0) {
            return false;
        }
        let asked = match m.survey_after {
            SurveyAfter::Journey => true,
            SurveyAfter::Contact => !m.survey_only_answered,
        };
        asked && uniform01(&mut self.rng.survey) < m.survey_response
    }

    /// A contact an agent coded resolved: with `after = "contact"` the customer is asked right
    /// away and scores the journey as it looks now (as if resolved).
    pub(super) fn survey_after_contact(&mut self, j: u32) {
        let m = &self.s.satisfaction;
        if m.survey_after != SurveyAfter::Contact || self.journeys[j].surveyed {
            return;
        }
        self.journeys[j].surveyed = true;
        if uniform01(&mut self.rng.survey) >= m.survey_response {
            return;
        }
        let jr = self.journeys[j];
        if !jr.measured {
            return;
        }
        let score = self.score(&jr, true);
        let t = self.journey_tally(j);
        t.surveys += 1;
        t.survey_sum += score;
    }
}
