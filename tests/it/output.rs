//! `rewrite`'s Output says where every output document came from: input
//! document N (changed or not) or added document K, one source per document.

use premigrate::{Config, Source};

#[test]
fn every_output_document_has_its_source() {
    let out = premigrate::rewrite(premigrate::demo::INPUT.as_bytes(), &Config::default()).unwrap();
    let split = premigrate::stream::Stream::split(&out.stream).unwrap();
    assert_eq!(split.docs.len(), out.sources.len());
    let added: Vec<usize> = out
        .sources
        .iter()
        .filter_map(|s| match s {
            Source::Added(k) => Some(*k),
            _ => None,
        })
        .collect();
    assert_eq!(added.len(), out.plan.added.len(), "{:?}", out.sources);
    for (i, source) in out.sources.iter().enumerate() {
        let text = split.doc_text(i);
        match *source {
            Source::Added(k) => assert_eq!(text, out.plan.added[k].text),
            Source::Input { doc, changed } => {
                assert_eq!(
                    changed,
                    out.plan.changes.contains_key(&doc),
                    "document {doc}"
                )
            }
        }
    }
    // An unchanged stream: every input document, as is.
    let plain = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
    let out = premigrate::rewrite(plain.as_bytes(), &Config::default()).unwrap();
    assert_eq!(
        out.sources,
        vec![Source::Input {
            doc: 0,
            changed: false
        }]
    );
}
