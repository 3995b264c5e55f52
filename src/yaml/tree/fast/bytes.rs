//! The fast reader's byte scans: whether a text is plain enough to read
//! here, which bytes make a simple key, and a line's indentation.

/// The bytes of a simple key read here (a key does not start with `-`): a
/// table, as this is asked of every byte of every key.
pub(super) const KEY_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'/' | b'.' | b'-' | b'$');
        c += 1;
    }
    t
};

/// Bytes libyaml reads as in any plain text: no tab, CR, control character,
/// NEL, LS, PS, BOM or non-character (each has rules of its own).
pub(super) fn plain_bytes(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        // 16 bytes at once while they are printable ASCII or `\n` (branch-free,
        // so the compiler makes it vector compares): most of a manifest.
        if let Some(chunk) = b.get(i..i + 16) {
            let odd = chunk.iter().fold(false, |odd, &c| {
                odd | ((c < 0x20) & (c != b'\n')) | (c >= 0x7F)
            });
            if !odd {
                i += 16;
                continue;
            }
        }
        let c = b[i];
        if c < 0x80 {
            if (c < 0x20 && c != b'\n') || c == 0x7F {
                return false;
            }
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(0);
        let third = b.get(i + 2).copied().unwrap_or(0);
        let special = matches!((c, next), (0xC2, 0x80..=0x9F))
            || (c == 0xE2 && next == 0x80 && matches!(third, 0xA8 | 0xA9))
            || (c == 0xEF && next == 0xBB && third == 0xBF)
            || (c == 0xEF && next == 0xBF && matches!(third, 0xBE | 0xBF));
        if special {
            return false;
        }
        i += 1;
    }
    true
}

/// How many spaces `b` starts with: eight bytes at a time, as a line's
/// indentation is asked for on every line (a byte at a time was ~5
/// instructions a space).
pub(super) fn spaces(b: &[u8]) -> usize {
    const EIGHT_SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    let mut n = 0;
    while let Some(chunk) = b.get(n..n + 8) {
        let other = u64::from_le_bytes(chunk.try_into().expect("eight bytes")) ^ EIGHT_SPACES;
        if other != 0 {
            // The lowest byte that differs is the first that is not a space.
            return n + (other.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + b[n..].iter().take_while(|&&c| c == b' ').count()
}
