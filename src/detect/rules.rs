//! User patterns that extend detection: command, image and name globs that make
//! something a migration (include) or never one (exclude). An exclude wins over an
//! include and over detection; an include wins over detection.

/// What a pattern is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A command as the container runs it (each simple command of a script too),
    /// words joined by single spaces.
    Command,
    /// The image reference (`registry/name:tag`), or its repository.
    Image,
    /// The Job's or container's name.
    Name,
}

/// Compiled user patterns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    pub(crate) commands: Vec<(bool, String)>,
    images: Vec<(bool, String)>,
    names: Vec<(bool, String)>,
}

impl Rules {
    /// No patterns: detection alone decides.
    pub fn new() -> Rules {
        Rules::default()
    }

    /// Adds a pattern that makes a match a migration.
    pub fn include(&mut self, target: Target, pattern: &str) -> Result<(), String> {
        self.add(true, target, pattern)
    }

    /// Adds a pattern that makes a match never a migration.
    pub fn exclude(&mut self, target: Target, pattern: &str) -> Result<(), String> {
        self.add(false, target, pattern)
    }

    /// Adds `command:GLOB`, `image:GLOB` or `name:GLOB`.
    pub fn add_spec(&mut self, include: bool, spec: &str) -> Result<(), String> {
        let (t, p) = spec.split_once(':').ok_or_else(|| {
            format!("pattern `{spec}` does not say what it matches: write `command:GLOB`, `image:GLOB` or `name:GLOB`")
        })?;
        let target = match t.trim() {
            "command" => Target::Command,
            "image" => Target::Image,
            "name" => Target::Name,
            _ => {
                return Err(format!(
                    "pattern `{spec}`: `{t}` is not one of command, image, name"
                ))
            }
        };
        self.add(include, target, p)
    }

    fn add(&mut self, include: bool, target: Target, pattern: &str) -> Result<(), String> {
        check(include, target, pattern)?;
        let list = match target {
            Target::Command => &mut self.commands,
            Target::Image => &mut self.images,
            Target::Name => &mut self.names,
        };
        // Excludes first: they win.
        let at = if include { list.len() } else { 0 };
        list.insert(at, (include, pattern.to_string()));
        Ok(())
    }

    /// The first image pattern that matches: (include?, pattern).
    pub fn image(&self, image: &str) -> Option<(bool, &str)> {
        let repo = super::image_repository(image);
        first(&self.images, |p| {
            super::glob(p, image) || super::glob(p, repo)
        })
    }

    /// The first command pattern that matches a command line (as written, or in
    /// lower case).
    pub fn command(&self, line: &str) -> Option<(bool, &str)> {
        command_match(&self.commands, line)
    }

    /// The first name pattern that matches.
    pub fn name(&self, name: &str) -> Option<(bool, &str)> {
        first(&self.names, |p| super::glob(p, name))
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty() && self.images.is_empty() && self.names.is_empty()
    }
}

/// The first of `list`'s command patterns that matches `line`.
pub(crate) fn command_match<'a>(list: &'a [(bool, String)], line: &str) -> Option<(bool, &'a str)> {
    let lower = line.to_ascii_lowercase();
    first(list, |p| super::glob(p, line) || super::glob(p, &lower))
}

fn first(list: &[(bool, String)], hit: impl Fn(&str) -> bool) -> Option<(bool, &str)> {
    list.iter()
        .find(|(_, p)| hit(p))
        .map(|(i, p)| (*i, p.as_str()))
}

/// Refuses patterns that cannot mean what the user wants.
fn check(include: bool, target: Target, p: &str) -> Result<(), String> {
    let what = match target {
        Target::Command => "command",
        Target::Image => "image",
        Target::Name => "name",
    };
    let err = |why: &str| Err(format!("{what} pattern `{p}`: {why}"));
    if p.trim().is_empty() {
        return err("is empty");
    }
    if p.chars().any(|c| c.is_control()) {
        return err("holds a control character (a newline?)");
    }
    if p.contains('[') || p.contains(']') || p.contains('{') || p.contains('}') {
        return err("character classes and braces are not supported; use `*` and `?`");
    }
    if include && p.chars().all(|c| c == '*' || c == '?' || c == ' ') {
        return err("would make everything a migration");
    }
    match target {
        Target::Image if p.contains(char::is_whitespace) => err("an image reference has no blanks"),
        Target::Name
            if !p
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.*?".contains(c)) =>
        {
            err("names are lowercase letters, digits, `-` and `.` (with `*` and `?`)")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_checked() {
        let mut r = Rules::new();
        assert!(r.include(Target::Command, "*my-tool sync*").is_ok());
        assert!(r.exclude(Target::Name, "*-seed").is_ok());
        assert!(r.add_spec(true, "image:*/schema-runner").is_ok());
        assert_eq!(r.name("app-seed"), Some((false, "*-seed")));
        assert_eq!(
            r.image("reg/x/schema-runner:1"),
            Some((true, "*/schema-runner"))
        );
        for (inc, t, p) in [
            (true, Target::Command, ""),
            (true, Target::Command, "*"),
            (true, Target::Image, "a b"),
            (false, Target::Name, "Job_X"),
            (true, Target::Command, "migrate[0-9]"),
        ] {
            let e = if inc {
                r.include(t, p)
            } else {
                r.exclude(t, p)
            };
            assert!(e.is_err(), "{p}");
        }
        assert!(r
            .add_spec(true, "label:x")
            .unwrap_err()
            .contains("not one of"));
    }
}
