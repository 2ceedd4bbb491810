//! Routing tables built once per scenario: which groups may take which skill, after what wait,
//! at what proficiency — and, per group, which queues it serves.

use crate::scenario::{Scenario, SkillId};
use crate::time::Ticks;

/// A group that may take contacts of a skill.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Route {
    /// The group.
    pub group: u16,
    /// Wait after which it may take them (0 = at once; > 0 = overflow).
    pub delay: Ticks,
    /// Its proficiency on them (handle time is divided by it).
    pub proficiency: f64,
}

/// Routing tables for one scenario. Skill index `k` is a `SkillId`, and `skills.len()` stands
/// for reasons without a skill.
#[derive(Debug, Clone)]
pub struct RoutingTable {
    /// Per skill index: the routes, immediate ones first, then by proficiency (high first).
    pub routes: Vec<Vec<Route>>,
    /// Per skill index: the delays of its overflow stages, ascending, without 0.
    pub stages: Vec<Vec<Ticks>>,
    /// Per skill index: the home group (counts its contacts in reports).
    pub home: Vec<u16>,
    /// Per group: (skill index, delay) of every queue it serves.
    pub serves: Vec<Vec<(u16, Ticks)>>,
}

impl RoutingTable {
    /// Build the tables.
    pub fn new(s: &Scenario) -> Self {
        let nk = s.skills.len() + 1;
        let skill_of = |k: usize| (k < s.skills.len()).then_some(SkillId(k as u16));
        let mut routes: Vec<Vec<Route>> = vec![Vec::new(); nk];
        for (k, list) in routes.iter_mut().enumerate() {
            for (g, group) in s.groups.iter().enumerate() {
                if let Some(p) = group.proficiency(skill_of(k)) {
                    list.push(Route {
                        group: g as u16,
                        delay: 0,
                        proficiency: p,
                    });
                }
            }
        }
        for rule in &s.routing.overflow {
            for (k, list) in routes.iter_mut().enumerate() {
                let from_serves = list.iter().any(|r| r.group == rule.from.0 && r.delay == 0);
                if !from_serves {
                    continue;
                }
                let own = s.groups[rule.to.0 as usize].proficiency(skill_of(k));
                let proficiency = rule.proficiency.or(own).unwrap_or(1.0);
                match list.iter_mut().find(|r| r.group == rule.to.0) {
                    Some(r) if r.delay == 0 || rule.after < r.delay => {
                        r.delay = rule.after;
                        r.proficiency = proficiency;
                    }
                    Some(_) => {}
                    None => list.push(Route {
                        group: rule.to.0,
                        delay: rule.after,
                        proficiency,
                    }),
                }
            }
        }
        for list in &mut routes {
            list.sort_by(|a, b| {
                a.delay
                    .cmp(&b.delay)
                    .then(b.proficiency.total_cmp(&a.proficiency))
                    .then(a.group.cmp(&b.group))
            });
        }
        let stages = routes
            .iter()
            .map(|list| {
                let mut d: Vec<Ticks> = list.iter().map(|r| r.delay).filter(|d| *d > 0).collect();
                d.dedup();
                d
            })
            .collect();
        let home = routes
            .iter()
            .map(|list| list.first().map(|r| r.group).unwrap_or(0))
            .collect();
        let mut serves = vec![Vec::new(); s.groups.len()];
        for (k, list) in routes.iter().enumerate() {
            for r in list {
                serves[r.group as usize].push((k as u16, r.delay));
            }
        }
        RoutingTable {
            routes,
            stages,
            home,
            serves,
        }
    }

    /// The skill index of a reason's skill.
    pub fn skill_index(&self, skill: Option<SkillId>) -> u16 {
        match skill {
            Some(k) => k.0,
            None => (self.routes.len() - 1) as u16,
        }
    }
}
