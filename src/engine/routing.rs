//! Routing tables built once per scenario: which groups may take which skill, after what wait,
//! at what proficiency — and, per group, which queues it serves.

use crate::scenario::{Channel, Scenario, SkillId};

/// The channels agents serve, one lane of queue classes each. Email is deferred work: agents
/// take it only when no live contact waits for them.
pub const LANES: [Channel; 4] = [
    Channel::Phone,
    Channel::Chat,
    Channel::Social,
    Channel::Email,
];

/// The lane of a channel (self-service has none: it never queues).
pub fn lane(ch: Channel) -> usize {
    match ch {
        Channel::Phone | Channel::SelfService => 0,
        Channel::Chat => 1,
        Channel::Social => 2,
        Channel::Email => 3,
    }
}
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
/// for reasons without a skill; `nk = skills.len() + 1`. Queue classes come in lanes, one per
/// agent channel: class `lane × nk + k` holds contacts of skill index `k` on that lane's
/// channel (`LANES`), and class `LANES.len() × nk + g` is group `g`'s direct class, for
/// transfers and misroutes to it (any channel).
#[derive(Debug, Clone)]
pub struct RoutingTable {
    /// Per skill index: the routes, immediate ones first, then by proficiency (high first).
    pub routes: Vec<Vec<Route>>,
    /// Per skill index: the delays of its overflow stages, ascending, without 0.
    pub stages: Vec<Vec<Ticks>>,
    /// Per skill index: the home group (counts its contacts in reports).
    pub home: Vec<u16>,
    /// Per group: (class, delay) of every live queue it serves (direct classes included).
    pub serves: Vec<Vec<(u16, Ticks)>>,
    /// Per group: the email classes it serves.
    pub serves_email: Vec<Vec<u16>>,
    /// Per group and skill index: the group's own proficiency, if it has the skill.
    pub native: Vec<Vec<Option<f64>>>,
    /// Number of skill indices (`nk`).
    nk: usize,
    /// Number of skill classes over all lanes.
    skill_classes: usize,
}

impl RoutingTable {
    /// Build the tables.
    pub fn new(s: &Scenario) -> Self {
        let nk = s.skills.len() + 1;
        let skill_of = |k: usize| (k < s.skills.len()).then_some(SkillId(k as u16));
        let skill_classes = LANES.len() * nk;
        let mut routes: Vec<Vec<Route>> = vec![Vec::new(); skill_classes];
        for (class, list) in routes.iter_mut().enumerate() {
            let (ch, k) = (LANES[class / nk], class % nk);
            for (g, group) in s.groups.iter().enumerate() {
                let p = match s.social.group {
                    // A named social team answers every post, whatever its skills.
                    Some(team) if ch == Channel::Social => {
                        if team.0 as usize != g {
                            continue;
                        }
                        group.proficiency(skill_of(k)).or(Some(1.0))
                    }
                    _ if !group.channels[ch as usize] => continue,
                    _ => group.proficiency(skill_of(k)),
                };
                if let Some(p) = p {
                    list.push(Route {
                        group: g as u16,
                        delay: 0,
                        proficiency: p,
                    });
                }
            }
        }
        for rule in &s.routing.overflow {
            for (class, list) in routes.iter_mut().enumerate() {
                let (ch, k) = (LANES[class / nk], class % nk);
                let from_serves = list.iter().any(|r| r.group == rule.from.0 && r.delay == 0);
                if !from_serves || !s.groups[rule.to.0 as usize].channels[ch as usize] {
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
        for g in 0..s.groups.len() {
            // Direct class of group g: only g takes it; proficiency is looked up per contact.
            routes.push(vec![Route {
                group: g as u16,
                delay: 0,
                proficiency: f64::NAN,
            }]);
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
        let mut serves_email = vec![Vec::new(); s.groups.len()];
        let email_lane = lane(Channel::Email);
        for (k, list) in routes.iter().enumerate() {
            for r in list {
                if k < skill_classes && k / nk == email_lane {
                    serves_email[r.group as usize].push(k as u16);
                } else {
                    serves[r.group as usize].push((k as u16, r.delay));
                }
            }
        }
        let native = s
            .groups
            .iter()
            .map(|g| (0..nk).map(|k| g.proficiency(skill_of(k))).collect())
            .collect();
        RoutingTable {
            routes,
            stages,
            home,
            serves,
            serves_email,
            native,
            nk,
            skill_classes,
        }
    }

    /// Whether group `g` can work a contact of skill index `k` taken from `class`: it has the
    /// skill, or an overflow rule routes the skill's contacts to it.
    pub fn skilled(&self, class: u16, g: u16, k: u16) -> bool {
        let class = usize::from(class);
        self.native[usize::from(g)][usize::from(k)].is_some()
            || (class < self.skill_classes && self.routes[class].iter().any(|r| r.group == g))
    }

    /// The direct class of group `g`.
    pub fn direct(&self, g: u16) -> u16 {
        (self.skill_classes + usize::from(g)) as u16
    }

    /// Proficiency of group `g` on a contact of skill index `k` waiting in `class`: the route's
    /// (overflow may set it), else the group's own, else 1.0.
    pub fn proficiency(&self, class: u16, g: u16, k: u16) -> f64 {
        let class = usize::from(class);
        if class < self.skill_classes
            && let Some(r) = self.routes[class].iter().find(|r| r.group == g)
        {
            return r.proficiency;
        }
        self.native[usize::from(g)][usize::from(k)].unwrap_or(1.0)
    }

    /// The skill index of a reason's skill.
    pub fn skill_index(&self, skill: Option<SkillId>) -> u16 {
        match skill {
            Some(k) => k.0,
            None => (self.nk - 1) as u16,
        }
    }

    /// The class of skill index `k` on channel `ch`.
    pub fn class(&self, ch: Channel, k: u16) -> u16 {
        (lane(ch) * self.nk + usize::from(k)) as u16
    }

    /// Whether `class` is an email class.
    pub fn is_email(&self, class: u16) -> bool {
        let c = usize::from(class);
        c < self.skill_classes && c / self.nk == lane(Channel::Email)
    }
}
