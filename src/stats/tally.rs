//! Streaming counters the engine fills during one replication: constant memory in the horizon.

use crate::time::{Ticks, ticks_to_secs};

/// Counts and sums of the contacts of one slice (all, one persona, one reason, one group).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ContactTally {
    /// Contacts that arrived (blocked ones included).
    pub offered: u64,
    /// Contacts that reached an agent.
    pub answered: u64,
    /// Contacts that hung up while waiting.
    pub abandoned: u64,
    /// Contacts that hung up while waiting for another group after an agent had answered
    /// them (a transfer); not in `abandoned`, which counts the first wait only.
    pub abandoned_transferred: u64,
    /// Contacts refused for want of a line.
    pub blocked: u64,
    /// Contacts that found no free agent when they entered the queue.
    pub waited: u64,
    /// Answered with a wait at or under the service-level threshold.
    pub within_sl: u64,
    /// Sum of waits of answered contacts [ticks].
    pub wait_answered: i64,
    /// Sum of time in queue of all contacts (abandoners included) [ticks].
    pub wait_all: i64,
    /// Sum of handle times (talk + after-contact work) of answered contacts [ticks].
    pub handle: i64,
}

fn ratio(num: f64, den: u64) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

impl ContactTally {
    /// Add another tally.
    pub fn add(&mut self, o: &ContactTally) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.abandoned_transferred += o.abandoned_transferred;
        self.blocked += o.blocked;
        self.waited += o.waited;
        self.within_sl += o.within_sl;
        self.wait_answered += o.wait_answered;
        self.wait_all += o.wait_all;
        self.handle += o.handle;
    }

    /// abandoned / offered.
    pub fn p_abandon(&self) -> Option<f64> {
        ratio(self.abandoned as f64, self.offered)
    }
    /// Share of offered contacts that ended hanging up in a queue, on their first wait or
    /// after a transfer: (abandoned + abandoned_transferred) / offered.
    pub fn p_abandon_any(&self) -> Option<f64> {
        ratio(
            (self.abandoned + self.abandoned_transferred) as f64,
            self.offered,
        )
    }
    /// blocked / offered.
    pub fn p_blocked(&self) -> Option<f64> {
        ratio(self.blocked as f64, self.offered)
    }
    /// Share of offered contacts that found no free agent.
    pub fn p_wait(&self) -> Option<f64> {
        ratio(self.waited as f64, self.offered)
    }
    /// Mean wait of answered contacts [s].
    pub fn asa_s(&self) -> Option<f64> {
        ratio(ticks_to_secs(self.wait_answered), self.answered)
    }
    /// Mean time in queue over all offered contacts [s].
    pub fn mean_wait_s(&self) -> Option<f64> {
        ratio(ticks_to_secs(self.wait_all), self.offered)
    }
    /// Answered within the threshold / offered.
    pub fn service_level(&self) -> Option<f64> {
        ratio(self.within_sl as f64, self.offered)
    }
    /// Mean handle time (talk + after-contact work) of answered contacts [s].
    pub fn aht_s(&self) -> Option<f64> {
        ratio(ticks_to_secs(self.handle), self.answered)
    }
}

/// Agent time of one group in one slice of time [ticks × agents].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AgentTime {
    /// Agent-ticks busy (talk and after-contact work).
    pub busy: i64,
    /// Agent-ticks available for contacts (busy or idle).
    pub present: i64,
    /// Agent-ticks paid (before shrinkage).
    pub paid: i64,
    /// Agent-ticks the staffing plan makes available (after breaks and shrinkage).
    pub planned: i64,
    /// Ticks covered.
    pub span: i64,
}

impl AgentTime {
    /// Add another slice.
    pub fn add(&mut self, o: &AgentTime) {
        self.busy += o.busy;
        self.present += o.present;
        self.paid += o.paid;
        self.planned += o.planned;
        self.span += o.span;
    }

    /// Busy / present.
    pub fn occupancy(&self) -> Option<f64> {
        (self.present > 0).then(|| self.busy as f64 / self.present as f64)
    }
}

/// A time-weighted integral of a piecewise-constant count (busy agents, waiting contacts).
#[derive(Debug, Clone, Copy, Default)]
pub struct Level {
    /// The current value.
    pub value: i64,
    last: Ticks,
    /// Integral since the last `take` [value × ticks].
    pub area: i64,
}

impl Level {
    /// Bring the integral up to `now`.
    #[inline]
    pub fn touch(&mut self, now: Ticks) {
        self.area += self.value * (now - self.last);
        self.last = now;
    }

    /// Change the value at `now` by `delta`.
    #[inline]
    pub fn add(&mut self, now: Ticks, delta: i64) {
        self.touch(now);
        self.value += delta;
    }

    /// The integral up to `now`, resetting it.
    pub fn take(&mut self, now: Ticks) -> i64 {
        self.touch(now);
        std::mem::take(&mut self.area)
    }
}

/// Number of repeat-contact causes (see `engine::state::CAUSES`).
pub const N_CAUSES: usize = 11;

/// What happened to the issues (journeys) that began in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct JourneyTally {
    /// Journeys begun in the window.
    pub issues: u64,
    /// Contacts they made (first attempts and repeats).
    pub contacts: u64,
    /// Journeys resolved.
    pub resolved: u64,
    /// Journeys resolved on the first contact.
    pub first_contact: u64,
    /// Journeys whose first contact the agent coded resolved (truly or not).
    pub first_coded: u64,
    /// Journeys the customer gave up on.
    pub gave_up: u64,
    /// Transfers.
    pub transfers: u64,
    /// Times a customer told the story again.
    pub reexplanations: u64,
    /// Refusals ("we can't make exceptions").
    pub refusals: u64,
    /// Customer time in IVR, queues and conversations [ticks].
    pub effort: i64,
    /// Repeat contacts by cause.
    pub repeats: [u64; N_CAUSES],
    /// Money spent on exceptions that resolved issues.
    pub concessions: f64,
    /// Hand-offs to partners.
    pub partner_handoffs: u64,
    /// Partner fees.
    pub partner_fees: f64,
    /// Journeys the company reached first.
    pub proactive: u64,
    /// Sum of journey satisfaction scores.
    pub score_sum: f64,
    /// Journeys by rounded score 1..=5.
    pub score_hist: [u64; 5],
    /// Journeys scoring 4 or more.
    pub satisfied: u64,
    /// Survey answers.
    pub surveys: u64,
    /// Sum of surveyed scores.
    pub survey_sum: f64,
    /// Churn chance × persona value, summed.
    pub value_at_risk: f64,
    /// Inbound call time with the company [ticks].
    pub call_time: i64,
}

impl JourneyTally {
    /// Add another tally.
    pub fn add(&mut self, o: &JourneyTally) {
        self.issues += o.issues;
        self.contacts += o.contacts;
        self.resolved += o.resolved;
        self.first_contact += o.first_contact;
        self.first_coded += o.first_coded;
        self.gave_up += o.gave_up;
        self.transfers += o.transfers;
        self.reexplanations += o.reexplanations;
        self.refusals += o.refusals;
        self.effort += o.effort;
        for (a, b) in self.repeats.iter_mut().zip(o.repeats) {
            *a += b;
        }
        self.concessions += o.concessions;
        self.partner_handoffs += o.partner_handoffs;
        self.partner_fees += o.partner_fees;
        self.proactive += o.proactive;
        self.score_sum += o.score_sum;
        for (a, b) in self.score_hist.iter_mut().zip(o.score_hist) {
            *a += b;
        }
        self.satisfied += o.satisfied;
        self.surveys += o.surveys;
        self.survey_sum += o.survey_sum;
        self.value_at_risk += o.value_at_risk;
        self.call_time += o.call_time;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_integrates_piecewise_constant_values() {
        let mut l = Level::default();
        l.add(10, 2); // 0 until 10, then 2
        l.add(20, -1); // 2 × 10
        assert_eq!(l.take(30), 20 + 10);
        assert_eq!(l.take(40), 10);
    }

    #[test]
    fn ratios_are_none_without_observations() {
        let t = ContactTally::default();
        assert_eq!(t.asa_s(), None);
        assert_eq!(t.p_abandon(), None);
        let t = ContactTally {
            offered: 4,
            answered: 2,
            wait_answered: 3000,
            ..Default::default()
        };
        assert_eq!(t.asa_s(), Some(1.5));
    }
}

/// Upper ends of the email age bands [hours]; the last band is open.
pub const EMAIL_AGE_BANDS_H: [f64; 4] = [1.0, 4.0, 24.0, 72.0];

/// Names of the email age bands (breakdown.csv keys).
pub const EMAIL_AGE_BAND_NAMES: [&str; 5] = ["0-1h", "1-4h", "4-24h", "1-3d", "over-3d"];

/// Counts of the channel features: callbacks, self-service, email (measured contacts only).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ChannelTally {
    /// Callers offered a callback.
    pub callbacks_offered: u64,
    /// Callers who accepted one.
    pub callbacks_accepted: u64,
    /// Callbacks an agent made.
    pub callbacks_made: u64,
    /// Callbacks that did not reach the customer.
    pub callbacks_missed: u64,
    /// Self-service sessions.
    pub ss_sessions: u64,
    /// Sessions that contained the issue.
    pub ss_contained: u64,
    /// Emails that arrived.
    pub email_arrived: u64,
    /// Emails answered by an agent.
    pub email_answered: u64,
    /// Answered within the target.
    pub email_within_target: u64,
    /// Sum of the ages of answered emails [ticks].
    pub email_age_sum: i64,
    /// Answered emails by age band.
    pub email_age_bands: [u64; 5],
    /// Emails dropped unanswered because the issue was settled on another channel.
    pub email_withdrawn: u64,
    /// Emails still waiting when the run stopped.
    pub email_backlog_end: u64,
    /// Sum over the window's days of the emails waiting at 00:00 (all emails, measured or not).
    pub email_backlog_day_sum: u64,
    /// Days of the window whose start was observed.
    pub email_days: u64,
}

impl ChannelTally {
    /// Add another tally.
    pub fn add(&mut self, o: &ChannelTally) {
        self.callbacks_offered += o.callbacks_offered;
        self.callbacks_accepted += o.callbacks_accepted;
        self.callbacks_made += o.callbacks_made;
        self.callbacks_missed += o.callbacks_missed;
        self.ss_sessions += o.ss_sessions;
        self.ss_contained += o.ss_contained;
        self.email_arrived += o.email_arrived;
        self.email_answered += o.email_answered;
        self.email_within_target += o.email_within_target;
        self.email_age_sum += o.email_age_sum;
        for (a, b) in self.email_age_bands.iter_mut().zip(o.email_age_bands) {
            *a += b;
        }
        self.email_withdrawn += o.email_withdrawn;
        self.email_backlog_end += o.email_backlog_end;
        self.email_backlog_day_sum += o.email_backlog_day_sum;
        self.email_days += o.email_days;
    }
}
