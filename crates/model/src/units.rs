//! The tree of administrative units, from the country to the polling stations.

use std::collections::HashMap;

use crate::ModelError;

/// A level of the administrative tree, from the top.
///
/// Kyrgyzstan: country, region (7 oblasts, the cities of Bishkek and Osh, and stations abroad),
/// station. Russia: country, region (subject of the federation), constituency (OIK, where the
/// election has one), district (TIK, territorial commission), station (UIK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitLevel {
    /// The whole country: the root of the tree.
    Country,
    /// A region: an oblast, a city of republican significance, or a federal subject.
    Region,
    /// An electoral constituency (Russian OIK, a single-member district).
    Constituency,
    /// A district or territorial commission (Russian TIK).
    District,
    /// A polling station (Russian UIK): the unit that signs a protocol.
    Station,
}

impl UnitLevel {
    /// Every level, from the top.
    pub const ALL: [UnitLevel; 5] = [
        UnitLevel::Country,
        UnitLevel::Region,
        UnitLevel::Constituency,
        UnitLevel::District,
        UnitLevel::Station,
    ];

    /// The level's stable lowercase name, used in files, the store and the CLI.
    pub fn key(self) -> &'static str {
        match self {
            UnitLevel::Country => "country",
            UnitLevel::Region => "region",
            UnitLevel::Constituency => "constituency",
            UnitLevel::District => "district",
            UnitLevel::Station => "station",
        }
    }

    /// Parses [`UnitLevel::key`].
    pub fn from_key(s: &str) -> Result<UnitLevel, ModelError> {
        UnitLevel::ALL
            .into_iter()
            .find(|l| l.key() == s)
            .ok_or_else(|| ModelError::UnknownName {
                what: "unit level",
                name: s.to_string(),
                expected: UnitLevel::ALL.map(|l| l.key()).join(", "),
            })
    }
}

/// The index of a unit in its [`UnitTree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitId(pub u32);

impl UnitId {
    /// The index as a `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One administrative unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The unit's name, unique among its siblings.
    pub name: String,
    /// The unit's level.
    pub level: UnitLevel,
    /// The parent unit; `None` only for the root.
    pub parent: Option<UnitId>,
}

/// An arena of units. The root (the country) is created with the tree; every other unit is
/// inserted under a parent of a higher level, so a parent's id is always lower than its
/// children's ids: iterating ids downwards visits children before parents.
#[derive(Debug, Clone)]
pub struct UnitTree {
    units: Vec<Unit>,
    index: HashMap<(UnitId, String), UnitId>,
}

impl UnitTree {
    /// A tree holding only the country.
    pub fn new(country: &str) -> UnitTree {
        UnitTree {
            units: vec![Unit {
                name: country.to_string(),
                level: UnitLevel::Country,
                parent: None,
            }],
            index: HashMap::new(),
        }
    }

    /// The country.
    pub fn root(&self) -> UnitId {
        UnitId(0)
    }

    /// The number of units, the root included.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Always false: a tree has at least its root.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The unit with this id. Panics on an id from another tree.
    pub fn get(&self, id: UnitId) -> &Unit {
        &self.units[id.index()]
    }

    /// Every unit with its id, parents before children.
    pub fn iter(&self) -> impl Iterator<Item = (UnitId, &Unit)> {
        self.units
            .iter()
            .enumerate()
            .map(|(i, u)| (UnitId(i as u32), u))
    }

    /// The child of `parent` called `name`, if any.
    pub fn child(&self, parent: UnitId, name: &str) -> Option<UnitId> {
        self.index.get(&(parent, name.to_string())).copied()
    }

    /// Inserts a new unit; a sibling of the same name is an error.
    pub fn insert(
        &mut self,
        parent: UnitId,
        level: UnitLevel,
        name: &str,
    ) -> Result<UnitId, ModelError> {
        let parent_level = self.get(parent).level;
        if level <= parent_level {
            return Err(ModelError::LevelOrder {
                parent: parent_level.key(),
                child: level.key(),
            });
        }
        if self.child(parent, name).is_some() {
            return Err(ModelError::DuplicateUnit {
                level: level.key(),
                name: name.to_string(),
                parent: self.path(parent),
            });
        }
        Ok(self.push(parent, level, name))
    }

    /// The child of `parent` called `name`, created if it does not exist yet. An existing
    /// child of another level is an error.
    pub fn get_or_insert(
        &mut self,
        parent: UnitId,
        level: UnitLevel,
        name: &str,
    ) -> Result<UnitId, ModelError> {
        match self.child(parent, name) {
            Some(id) if self.get(id).level == level => Ok(id),
            Some(_) => Err(ModelError::DuplicateUnit {
                level: level.key(),
                name: name.to_string(),
                parent: self.path(parent),
            }),
            None => self.insert(parent, level, name),
        }
    }

    fn push(&mut self, parent: UnitId, level: UnitLevel, name: &str) -> UnitId {
        let id = UnitId(self.units.len() as u32);
        self.units.push(Unit {
            name: name.to_string(),
            level,
            parent: Some(parent),
        });
        self.index.insert((parent, name.to_string()), id);
        id
    }

    /// The ancestor of `id` at `level`, or `id` itself if it is at that level.
    pub fn ancestor_at(&self, id: UnitId, level: UnitLevel) -> Option<UnitId> {
        let mut cur = Some(id);
        while let Some(c) = cur {
            let u = self.get(c);
            if u.level == level {
                return Some(c);
            }
            if u.level < level {
                return None;
            }
            cur = u.parent;
        }
        None
    }

    /// The names from below the root down to `id`, joined with " / "; the root's own name for
    /// the root.
    pub fn path(&self, id: UnitId) -> String {
        let names = self.path_names(id);
        if names.is_empty() {
            self.get(id).name.clone()
        } else {
            names.join(" / ")
        }
    }

    /// The names from below the root down to `id`.
    pub fn path_names(&self, id: UnitId) -> Vec<&str> {
        let mut names = Vec::new();
        let mut cur = id;
        while let Some(parent) = self.get(cur).parent {
            names.push(self.get(cur).name.as_str());
            cur = parent;
        }
        names.reverse();
        names
    }

    /// The number of units at `level`.
    pub fn count_at(&self, level: UnitLevel) -> usize {
        self.units.iter().filter(|u| u.level == level).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_station_is_rejected_with_its_parent() {
        let mut t = UnitTree::new("KG");
        let r = t.insert(t.root(), UnitLevel::Region, "Osh").unwrap();
        t.insert(r, UnitLevel::Station, "1").unwrap();
        let err = t.insert(r, UnitLevel::Station, "1").unwrap_err();
        assert_eq!(err.to_string(), "station '1' appears twice under 'Osh'");
    }

    #[test]
    fn levels_must_descend() {
        let mut t = UnitTree::new("KG");
        let s = t.insert(t.root(), UnitLevel::Station, "1").unwrap();
        let err = t.insert(s, UnitLevel::Region, "x").unwrap_err();
        assert_eq!(err.to_string(), "a region cannot be placed under a station");
    }

    #[test]
    fn ancestors_and_paths() {
        let mut t = UnitTree::new("RU");
        let r = t.insert(t.root(), UnitLevel::Region, "A").unwrap();
        let d = t.insert(r, UnitLevel::District, "T").unwrap();
        let s = t.insert(d, UnitLevel::Station, "7").unwrap();
        assert_eq!(t.ancestor_at(s, UnitLevel::Region), Some(r));
        assert_eq!(t.ancestor_at(s, UnitLevel::Constituency), None);
        assert_eq!(t.path(s), "A / T / 7");
        assert_eq!(t.path(t.root()), "RU");
    }
}
