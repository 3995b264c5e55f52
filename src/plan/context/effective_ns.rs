//! Where an object written without a namespace goes: the stream's single
//! namespace when the stream shows that the release is there.

use super::{annotation, namespace, own, Context};

impl Context<'_> {
    /// The namespace document `i` goes to, as far as the stream tells: the one
    /// written; else, when the stream names exactly one namespace and some
    /// pod written without one uses an object defined only there, that one
    /// (ZITADEL's Deployment has none, and mounts the ConfigMap its Jobs in
    /// `default` read; SigNoz's StatefulSet runs as a ServiceAccount written
    /// into the release namespace: that pod works only if the release is
    /// there, and so is every object written without one); else "" (the
    /// release namespace, unknown here).
    pub(crate) fn effective_ns(&self, i: usize) -> String {
        let Some(v) = self.value(i) else {
            return String::new();
        };
        let written = namespace(v);
        let Some(single) = self
            .single_namespace
            .as_deref()
            .filter(|_| written.is_empty())
        else {
            return written;
        };
        // A Job built from a workload on an earlier run goes where its
        // workload does, as it did when it was built (a rerun must find the
        // same namespace: SonarQube's StatefulSet mounts a Secret only the
        // bundled database's namespace has, its Jobs do not).
        let from = annotation(v, own::DERIVED_FROM).and_then(|d| d.split(',').next());
        if let Some(w) = from.and_then(|d| self.doc_of_object(d.trim())) {
            return self.effective_ns(w);
        }
        match self.release_in_single() {
            true => single.to_string(),
            false => written,
        }
    }

    /// Whether the release namespace is the stream's single one: some pod
    /// written without a namespace (not a Job built from a workload) uses an
    /// object defined only there. Looked at once.
    fn release_in_single(&self) -> bool {
        *self.release_in_single.get_or_init(|| {
            let Some(single) = self.single_namespace.as_deref() else {
                return false;
            };
            (0..self.index.entries.len()).any(|i| {
                let Some(v) = self.value(i) else { return false };
                let pod = crate::k8s::pod_spec(v, self.kind(i));
                namespace(v).is_empty()
                    && annotation(v, own::DERIVED_FROM).is_none()
                    && pod.is_some_and(|p| {
                        crate::k8s::pod_refs(p, &[])
                            .iter()
                            .any(|r| self.defined_only_in(r, single))
                    })
            })
        })
    }

    /// Whether the object `r` names is defined in namespace `single` and not
    /// without one (a hook copy an earlier run made stands for its original).
    fn defined_only_in(&self, r: &crate::k8s::Ref, single: &str) -> bool {
        let name = self
            .copy_of(r.kind, single, &r.name)
            .or_else(|| self.copy_of(r.kind, "", &r.name))
            .unwrap_or(&r.name);
        let at = |ns: &str| (r.kind, name.to_string(), ns.to_string());
        let defined =
            |ns: &str| self.defs.contains_key(&at(ns)) || self.hook_defs.contains_key(&at(ns));
        defined(single) && !defined("")
    }
}
