//! The tree of administrative units, from the country to the polling stations.

use std::hash::{BuildHasher, Hasher};

use foldhash::fast::FixedState;
use hashbrown::{HashMap, HashTable};
use strum::{EnumString, IntoStaticStr, VariantArray};

use crate::ModelError;

/// A level of the administrative tree, from the top.
///
/// Kyrgyzstan: country, region (7 oblasts, the cities of Bishkek and Osh, and stations abroad),
/// station. Russia: country, region (subject of the federation), constituency (OIK, where the
/// election has one), district (TIK, territorial commission), station (UIK).
#[derive(EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
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
    pub const ALL: &'static [UnitLevel] = UnitLevel::VARIANTS;

    /// The level's stable lowercase name, used in files, the store and the CLI.
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// Parses [`UnitLevel::key`].
    pub fn from_key(s: &str) -> Result<UnitLevel, ModelError> {
        s.parse()
            .map_err(|_| crate::unknown_name::<UnitLevel>("unit level", s))
    }
}

/// The index of a unit in its [`UnitTree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitId(pub u32);

/// A unit id as typed (a form field, a path): digits only, never wrapped into range.
impl std::str::FromStr for UnitId {
    type Err = crate::ModelError;

    fn from_str(s: &str) -> Result<UnitId, crate::ModelError> {
        let t = s.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(crate::ModelError::BadUnitId(s.to_string()));
        }
        t.parse::<u32>()
            .map(UnitId)
            .map_err(|_| crate::ModelError::BadUnitId(s.to_string()))
    }
}

impl UnitId {
    /// The index as a `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One administrative unit, borrowed from its tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit<'a> {
    /// The unit's name, unique among its siblings.
    pub name: &'a str,
    /// The unit's level.
    pub level: UnitLevel,
    /// The parent unit; `None` only for the root.
    pub parent: Option<UnitId>,
}

/// An arena of units. The root (the country) is created with the tree; every other unit is
/// inserted under a parent of a higher level, so a parent's id is always lower than its
/// children's ids: iterating ids downwards visits children before parents.
///
/// Names live in one string and the sibling indexes store only ids, so a national tree of a
/// million stations costs a few dozen bytes per unit and no allocation per unit.
#[derive(Debug, Clone)]
pub struct UnitTree {
    levels: Vec<UnitLevel>,
    parents: Vec<u32>,
    /// End of each unit's name in `names`; a unit's name starts where the previous one ends.
    name_ends: Vec<u32>,
    names: String,
    /// The ids of each unit's children, hashed by name. One small table per parent: rows
    /// listed parent by parent, as real files are, probe a table that stays in the cache
    /// (one table of a national tree's million stations missed it on every insert).
    children: HashMap<u32, HashTable<u32>, FixedState>,
}

/// The parent stored for the root.
const NO_PARENT: u32 = u32::MAX;

/// The hashes' fixed seed: a tree's layout does not depend on the process.
const SEED: u64 = 0x7a11_7900_f00d;

fn key_hash(name: &str) -> u64 {
    let mut h = FixedState::with_seed(SEED).build_hasher();
    h.write(name.as_bytes());
    h.finish()
}

/// The name of unit `i`, from the tree's columns.
fn name_at<'a>(name_ends: &[u32], names: &'a str, i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { name_ends[i - 1] as usize };
    &names[start..name_ends[i] as usize]
}

impl UnitTree {
    /// A tree holding only the country.
    pub fn new(country: &str) -> UnitTree {
        let mut t = UnitTree {
            levels: Vec::new(),
            parents: Vec::new(),
            name_ends: Vec::new(),
            names: String::new(),
            children: HashMap::with_hasher(FixedState::with_seed(SEED)),
        };
        t.push_raw(NO_PARENT, UnitLevel::Country, country);
        t
    }

    /// Makes room for `additional` more units.
    pub fn reserve(&mut self, additional: usize) {
        self.levels.reserve(additional);
        self.parents.reserve(additional);
        self.name_ends.reserve(additional);
        self.names.reserve(additional * 8);
    }

    /// The country.
    pub fn root(&self) -> UnitId {
        UnitId(0)
    }

    /// The number of units, the root included.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Always false: a tree has at least its root.
    pub fn is_empty(&self) -> bool {
        false
    }

    fn name_of(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.name_ends[i - 1] as usize
        };
        &self.names[start..self.name_ends[i] as usize]
    }

    /// Whether `id` is a unit of this tree at the station level (an id beyond the tree is
    /// none).
    pub fn is_station(&self, id: UnitId) -> bool {
        self.levels.get(id.index()) == Some(&UnitLevel::Station)
    }

    /// The unit with this id. Panics on an id from another tree.
    pub fn get(&self, id: UnitId) -> Unit<'_> {
        let i = id.index();
        let p = self.parents[i];
        Unit {
            name: self.name_of(i),
            level: self.levels[i],
            parent: (p != NO_PARENT).then_some(UnitId(p)),
        }
    }

    /// The parent of `id`; `None` for the root. Panics on an id from another tree.
    pub fn parent(&self, id: UnitId) -> Option<UnitId> {
        let p = self.parents[id.index()];
        (p != NO_PARENT).then_some(UnitId(p))
    }

    /// The level of `id`. Panics on an id from another tree.
    pub fn level(&self, id: UnitId) -> UnitLevel {
        self.levels[id.index()]
    }

    /// Every unit's id, parents before children.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = UnitId> {
        (0..self.len() as u32).map(UnitId)
    }

    /// Every unit with its id, parents before children.
    pub fn iter(&self) -> impl Iterator<Item = (UnitId, Unit<'_>)> + '_ {
        (0..self.len()).map(|i| (UnitId(i as u32), self.get(UnitId(i as u32))))
    }

    /// The child of `parent` called `name`, if any.
    pub fn child(&self, parent: UnitId, name: &str) -> Option<UnitId> {
        self.children
            .get(&parent.0)?
            .find(key_hash(name), |&id| self.name_of(id as usize) == name)
            .map(|&id| UnitId(id))
    }

    /// The unit at `path`: its names from the country down, joined by ` / ` (as
    /// [`UnitTree::path`] writes them without the country).
    pub fn resolve(&self, path: &str) -> Result<UnitId, ModelError> {
        let mut cur = self.root();
        for name in path.split(" / ").map(str::trim) {
            cur = self.child(cur, name).ok_or_else(|| ModelError::NoUnit {
                name: name.to_string(),
                parent: self.path(cur),
            })?;
        }
        Ok(cur)
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
        let (name_ends, names) = (&self.name_ends, &self.names);
        let entry = self.children.entry(parent.0).or_default().entry(
            key_hash(name),
            |&id| name_at(name_ends, names, id) == name,
            |&i| key_hash(name_at(name_ends, names, i)),
        );
        // One probe: a vacant slot is filled with the id the new unit is about to get.
        let id = self.levels.len() as u32;
        match entry {
            hashbrown::hash_table::Entry::Vacant(slot) => slot.insert(id),
            hashbrown::hash_table::Entry::Occupied(_) => {
                return Err(ModelError::DuplicateUnit {
                    level: level.key(),
                    name: name.to_string(),
                    parent: self.path(parent),
                })
            }
        };
        Ok(self.push_raw(parent.0, level, name))
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

    fn push_raw(&mut self, parent: u32, level: UnitLevel, name: &str) -> UnitId {
        let id = self.levels.len() as u32;
        self.levels.push(level);
        self.parents.push(parent);
        self.names.push_str(name);
        self.name_ends.push(self.names.len() as u32);
        UnitId(id)
    }

    /// `id` and its ancestors, up to the root.
    pub fn ancestry(&self, id: UnitId) -> impl Iterator<Item = UnitId> + '_ {
        std::iter::successors(Some(id), move |&c| self.parent(c))
    }

    /// Whether `id` is `unit` or lies under it.
    pub fn is_within(&self, id: UnitId, unit: UnitId) -> bool {
        self.ancestry(id).any(|c| c == unit)
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
            self.get(id).name.to_string()
        } else {
            names.join(" / ")
        }
    }

    /// The names from below the root down to `id`.
    pub fn path_names(&self, id: UnitId) -> Vec<&str> {
        let mut names = Vec::new();
        let mut cur = id;
        while let Some(parent) = self.get(cur).parent {
            names.push(self.get(cur).name);
            cur = parent;
        }
        names.reverse();
        names
    }

    /// The number of units at `level`.
    pub fn count_at(&self, level: UnitLevel) -> usize {
        self.levels.iter().filter(|l| **l == level).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_ids_are_parsed_without_wrapping() {
        assert_eq!("400".parse::<UnitId>().unwrap(), UnitId(400));
        assert_eq!(" 7 ".parse::<UnitId>().unwrap(), UnitId(7));
        assert_eq!("4294967295".parse::<UnitId>().unwrap(), UnitId(u32::MAX));
        // 2^32 + 2 is not unit 2 (issue 13, finding 4).
        for bad in [
            "4294967298",
            "4294967296",
            "-1",
            "+2",
            "2.0",
            "",
            "Batken",
            "0x10",
        ] {
            let e = bad.parse::<UnitId>().unwrap_err();
            assert_eq!(e, crate::ModelError::BadUnitId(bad.into()), "{bad}");
        }
    }

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
