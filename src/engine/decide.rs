//! What an agent does with a contact: resolve (skill and authority, or an exception within the
//! concession budget), fail and ask the customer to come back, be cut short by AHT pressure,
//! transfer to a group that can, or refuse. Context decides whether the customer re-explains.

use super::state::Outcome;
use super::{Sim, scaled};
use crate::rng::uniform01;
use crate::scenario::{Context, Ownership};
use crate::time::Ticks;

impl Sim<'_> {
    /// Whether agents of group `g` have the skill of skill index `k`.
    fn has_skill(&self, g: u16, k: u16) -> bool {
        self.rt.native[g as usize][k as usize].is_some()
    }

    /// Whether group `g` may resolve reason `r`: its own authority, or an exception it can afford.
    /// Returns the money the exception costs (0 with authority), or `None`.
    fn empowered(&self, g: u16, r: usize) -> Option<f64> {
        let group = &self.s.groups[g as usize];
        let reason = &self.s.reasons[r];
        if group.authority >= reason.authority {
            Some(0.0)
        } else {
            reason.concession.filter(|c| *c <= group.concession_budget)
        }
    }

    /// Decide the segment of contact `c` with an agent of `g` at proficiency `prof`: sets the
    /// contact's outcome and returns the talk time.
    pub(super) fn decide(&mut self, c: u32, g: u16, prof: f64) -> Ticks {
        let s = self.s;
        let ct = self.contacts[c];
        let r = usize::from(self.journeys[ct.journey].reason);
        let reason = &s.reasons[r];
        let mut talk = self.reexplain(ct.journey);
        if s.policy.ownership == Ownership::Own {
            // Owning a case costs time: notes, briefing the next agent, setting up follow-ups.
            talk += s.policy.ownership_handle;
            if self.journeys[ct.journey].owner.is_none() {
                self.journeys[ct.journey].owner = Some(g);
            }
        }
        let skilled = self.rt.skilled(ct.class, g, ct.skill);
        let spend = if skilled { self.empowered(g, r) } else { None };
        if self.must_redirect(c, g, spend) {
            talk += self.redirect_talk();
            self.contacts[c].outcome = Outcome::Redirect;
            self.journeys[ct.journey].effort += talk;
            return talk;
        }
        let (partner_pending, company_done) = {
            let jr = &self.journeys[ct.journey];
            (jr.partner_pending, jr.company_done)
        };
        let outcome = if partner_pending {
            // "Where is my box?": only the partner can act; the agent can only say so.
            talk += match &reason.triage {
                Some(d) => d.sample(&mut self.rng.segment),
                None => scaled(ct.handle, prof),
            };
            Outcome::Chase
        } else if let Some(spend) = spend {
            talk += scaled(ct.handle, prof);
            self.contacts[c].concession = spend;
            match self.capable_outcome(&mut talk, reason.resolve, prof, ct.resolve_u) {
                Outcome::Resolved if reason.partner.is_some() && !company_done => {
                    Outcome::PartnerNeeded
                }
                o => o,
            }
        } else {
            // With the skill but not the authority, the agent works the case through before
            // escalating or refusing; without the skill, the agent triages and passes it on.
            talk += match (&reason.triage, skilled) {
                (_, true) => scaled(ct.handle, prof),
                (Some(d), false) => d.sample(&mut self.rng.segment),
                (None, false) => scaled(reason.handle.sample(&mut self.rng.segment), prof),
            };
            if u32::from(ct.transfers) >= s.policy.max_transfers {
                Outcome::NotResolved
            } else {
                match self.transfer_target(g, r, ct.skill) {
                    Some(class) => Outcome::Transfer(class),
                    None => Outcome::Refused,
                }
            }
        };
        self.contacts[c].outcome = outcome;
        self.journeys[ct.journey].effort += talk;
        talk
    }

    /// A new agent meets the customer: with siloed context, every agent after the first hears
    /// the story again (extra talk, patience lost). Returns the extra talk time.
    fn reexplain(&mut self, j: u32) -> Ticks {
        let policy = &self.s.policy;
        let jr = &mut self.journeys[j];
        jr.agents_met = jr.agents_met.saturating_add(1);
        // A case owner briefs every later agent: the customer does not retell the story.
        let owned = policy.ownership == Ownership::Own && jr.owner.is_some();
        if policy.context == Context::Siloed && jr.agents_met > 1 && !owned {
            jr.reexplanations += 1;
            jr.patience_loss += policy.reexplain_patience;
            policy.reexplain_handle
        } else {
            0
        }
    }

    /// Outcome of a capable agent: AHT pressure may cut the talk at the target (coded resolved,
    /// not resolved); else resolved with chance 1 − (1 − resolve)^proficiency.
    fn capable_outcome(&mut self, talk: &mut Ticks, resolve: f64, prof: f64, u: f64) -> Outcome {
        let policy = &self.s.policy;
        if let Some(target) = policy.aht_target
            && *talk > target
            && uniform01(&mut self.rng.pressure) < policy.aht_pressure
        {
            *talk = target;
            return Outcome::FalseResolution;
        }
        let p = if prof == 1.0 {
            resolve
        } else {
            1.0 - (1.0 - resolve).powf(prof)
        };
        if u < p {
            Outcome::Resolved
        } else {
            Outcome::NotResolved
        }
    }

    /// Where an agent of `from` who cannot resolve reason `r` sends the contact: the best group
    /// with the skill and the power to resolve; failing that (and if `from` lacks the skill
    /// itself) the best group with the skill. With chance 1 − transfer_accuracy the transfer
    /// lands at another group instead. `None` = no one to send it to: refuse.
    fn transfer_target(&mut self, from: u16, r: usize, k: u16) -> Option<u16> {
        let mut able: Option<(f64, u16)> = None;
        let mut skilled: Option<(f64, u16)> = None;
        for h in 0..self.s.groups.len() as u16 {
            let Some(p) = self.rt.native[h as usize][k as usize] else {
                continue;
            };
            if h == from {
                continue;
            }
            if skilled.is_none_or(|(q, _)| p > q) {
                skilled = Some((p, h));
            }
            if self.empowered(h, r).is_some() && able.is_none_or(|(q, _)| p > q) {
                able = Some((p, h));
            }
        }
        let target = if self.has_skill(from, k) {
            able
        } else {
            able.or(skilled)
        }
        .map(|(_, h)| h)?;
        let accuracy = self.s.policy.transfer_accuracy;
        let n = self.s.groups.len() as u16;
        if accuracy < 1.0 && uniform01(&mut self.rng.routing) >= accuracy && n > 2 {
            // A wrong transfer: any group but the sender and the right one, equally likely.
            let i = ((uniform01(&mut self.rng.routing) * f64::from(n - 2)) as u16).min(n - 3);
            let wrong = (0..n)
                .filter(|h| *h != from && *h != target)
                .nth(usize::from(i))
                .unwrap_or(target);
            return Some(self.rt.direct(wrong));
        }
        Some(self.rt.direct(target))
    }

    /// The queue class a new call joins: its skill's, unless the IVR misroutes it to a group
    /// lacking the skill.
    pub(super) fn first_class(&mut self, skill: u16, reason: usize) -> u16 {
        let phone = &self.s.phone;
        let chance = self.s.reasons[reason].misroute.unwrap_or(phone.misroute);
        if chance <= 0.0 || uniform01(&mut self.rng.routing) >= chance {
            return skill;
        }
        if let Some(g) = phone.misroute_to {
            return self.rt.direct(g.0);
        }
        let wrong: Vec<u16> = (0..self.s.groups.len() as u16)
            .filter(|g| !self.has_skill(*g, skill))
            .collect();
        if wrong.is_empty() {
            return skill;
        }
        let i = (uniform01(&mut self.rng.routing) * wrong.len() as f64) as usize;
        self.rt.direct(wrong[i.min(wrong.len() - 1)])
    }
}
