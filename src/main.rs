use std::io::{Read, Write};
fn main() {
    let mut buf = Vec::new();
    std::io::stdin().read_to_end(&mut buf).unwrap();
    std::io::stdout().write_all(&buf).unwrap();
}
