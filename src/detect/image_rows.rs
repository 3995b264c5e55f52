//! The tool table's image globs, read once, and how an image matches one.

use super::tools;
use super::words::glob;

/// An image glob of the table, read once: most are `*suffix`, a comparison
/// of the repository's end (a walk of the glob for every row of every
/// container was 4% of a 500-Deployment run).
pub(super) enum ImageGlob {
    /// `*suffix` with no other wildcard.
    Suffix(&'static str),
    /// Any other glob of the repository.
    Glob(&'static str),
    /// A glob with a `:`: of the repository, then of its tag, for an image
    /// whose tags are different programs (Hasura's `*.cli-migrations-v3` tags
    /// migrate at start, its plain ones do not).
    Tagged(Box<ImageGlob>, &'static str),
}

impl ImageGlob {
    fn new(g: &'static str) -> ImageGlob {
        if let Some((repo, tag)) = g.split_once(':') {
            return ImageGlob::Tagged(Box::new(ImageGlob::new(repo)), tag);
        }
        match g.strip_prefix('*') {
            Some(s) if !s.contains(['*', '?']) => ImageGlob::Suffix(s),
            _ => ImageGlob::Glob(g),
        }
    }

    /// Whether `image` (its repository lowercased: `repo`) is one of the row's.
    pub(super) fn matches(&self, repo: &str, image: &str) -> bool {
        match self {
            ImageGlob::Suffix(s) => repo.ends_with(s),
            ImageGlob::Glob(g) => glob(g, repo),
            // The tag is read only for an image of the repository.
            ImageGlob::Tagged(r, tag) => {
                r.matches(repo, image) && {
                    let no_digest = image.split('@').next().unwrap_or(image);
                    let t = no_digest.get(repo.len() + 1..).unwrap_or("");
                    glob(tag, &t.to_ascii_lowercase())
                }
            }
        }
    }
}

/// The table's image globs in table order, each with its tool's program: the
/// first that matches names the tool a scan of every row finds, and most rows
/// have no image.
pub(super) fn image_rows() -> &'static [(ImageGlob, &'static str)] {
    static ROWS: std::sync::OnceLock<Vec<(ImageGlob, &str)>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        tools::all()
            .flat_map(|t| t.images.iter().map(|&g| (ImageGlob::new(g), t.programs[0])))
            .collect()
    })
}

/// The tool whose image `image` is, if the table names it.
pub(super) fn image_tool(image: &str) -> Option<&'static tools::Tool> {
    let repo = super::image_repository(image).to_ascii_lowercase();
    let (_, program) = image_rows().iter().find(|(g, _)| g.matches(&repo, image))?;
    tools::all().find(|t| t.programs.first() == Some(program))
}

/// When `argv` is the image's own start written out (a row's `image_cmd`),
/// followed by arguments: those arguments. Options (`-Xmx512m`, `--require
/// FILE`'s flag) before the last word of `image_cmd` are not compared: a chart
/// adds JVM and Node flags (Traccar's `java -Xms512m -jar tracker-server.jar
/// conf/traccar.xml`); the program is compared by its base name (the image's
/// `/opt/traccar/jre/bin/java`).
pub(super) fn image_cmd_args(image: &str, argv: &[String]) -> Option<Vec<String>> {
    fn bare(w: &str) -> &str {
        w.strip_prefix("./").unwrap_or(w)
    }
    let t = image_tool(image).filter(|t| !t.image_cmd.is_empty())?;
    let want: Vec<&str> = (t.image_cmd.iter())
        .map(|w| bare(w))
        .filter(|w| !w.starts_with('-'))
        .collect();
    let (first, rest) = want.split_first()?;
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    if argv.first().map(|w| base(w)) != Some(base(first)) {
        return None;
    }
    let mut at = 1;
    for w in rest {
        while argv.get(at).is_some_and(|a| a.starts_with('-')) {
            at += 1;
        }
        if argv.get(at).map(|a| bare(a)) != Some(*w) {
            return None;
        }
        at += 1;
    }
    Some(argv[at..].to_vec())
}

/// Images that run a migration and exit when an env variable holds a flag
/// (image glob, variable, flag, what it then does): SkyWalking's OAP server
/// image with `-Dmode=init` in `JAVA_OPTS`, the chart's init Job, creates
/// the storage schema and exits (its Deployment runs `-Dmode=no-init`).
const ENV_MODES: &[(&str, &str, &str, &str)] = &[(
    "*apache/skywalking-oap-server",
    "JAVA_OPTS",
    "-Dmode=init",
    "runs the OAP server in init mode: it creates the storage schema, then exits",
)];

/// What container `c` of image `image` does by an [`ENV_MODES`] row, if one matches.
pub(super) fn env_mode(image: &str, c: &crate::yaml::Value) -> Option<String> {
    let repo = super::image_repository(image).to_ascii_lowercase();
    ENV_MODES.iter().find_map(|&(g, var, flag, what)| {
        let value = crate::k8s::env_values(c).find_map(|(_, n, v)| (n == var).then_some(v))?;
        let words = value.as_str()?.split_whitespace();
        (ImageGlob::new(g).matches(&repo, image) && words.into_iter().any(|w| w == flag))
            .then(|| format!("env `{var}` has `{flag}`: image `{image}` {what}"))
    })
}
