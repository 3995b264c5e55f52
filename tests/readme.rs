//! The README shows the demo's real output; this test keeps it from going stale.
//! `UPDATE_README=1 cargo test --test readme` rewrites the block.

const START: &str = "<!-- demo:start -->\n```yaml\n";
const END: &str = "```\n<!-- demo:end -->";

#[test]
fn readme_shows_the_real_demo_output() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let demo = premigrate::demo::render(&premigrate::Config::default()).unwrap();
    let (a, b) = (
        readme.find(START).expect("demo start marker"),
        readme.find(END).expect("demo end marker"),
    );
    let fresh = format!("{}{START}{demo}{}", &readme[..a], &readme[b..]);
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(path, &fresh).unwrap();
        return;
    }
    assert!(
        readme == fresh,
        "README's demo block is stale: run UPDATE_README=1 cargo test --test readme"
    );
}
