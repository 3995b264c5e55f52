"""Policy scan of what premigrate generates or edits (issue #14, item 12).

For every chart in charts/ (rendered by helm3) and every ../shared/corpus/*/helm3.yaml,
premigrate rewrites the stream (--target gitops); then
  * kubernetes-validate checks every output document premigrate added or changed
    against the Kubernetes 1.34 schemas (strict: unknown fields are errors), and
  * checkov's Kubernetes checks run once over all inputs and all outputs together;
    a finding on an output object that the same object (same kind, namespace and
    name before hashing) did not have in the input is a new finding.
Prints a report; exit 1 when something premigrate generated or edited has a new
finding. Usage: policy_scan.py PREMIGRATE HELM3 REPO
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import kubernetes_validate
import yaml

K8S = "1.34.0"
# Accepted, with the reason (checked and documented, not silenced by accident).
ACCEPTED = {
    # The gates' default images are pinned by tag, as the chart's own images are;
    # a digest is the user's choice (--gate-image IMAGE@sha256:…).
    "CKV_K8S_43": "image by tag, not digest (--gate-image takes a digest)",
    # A RoleBinding of the `default` ServiceAccount, when the gated app runs as it:
    # premigrate warns (PM605) and names the check gate, which needs no RBAC.
    "CKV_K8S_42": "binds the app's default ServiceAccount (PM605 warns)",
    # A graph check keyed by the pod's labels and owner: a renamed or extracted Job
    # gets a new resource id for the chart's own pod template.
    "CKV2_K8S_6": "NetworkPolicy coverage of a pod template the chart wrote",
}


def docs(text):
    """The documents of a stream, as text (split at `---` lines)."""
    parts = re.split(r"(?m)^---[ \t]*$\n?", text)
    return [p for p in parts if p.strip() and not all(
        l.strip() == "" or l.lstrip().startswith("#") for l in p.splitlines())]


def ident(d):
    """(kind, namespace, name before hashing) of a parsed document."""
    md = d.get("metadata") or {}
    ann = md.get("annotations") or {}
    name = ann.get("premigrate.io/original-name") or md.get("name") or "?"
    return (d.get("kind"), md.get("namespace") or "default", name)


def inputs(premigrate, helm3, repo):
    """(name, rendered stream) of every chart and corpus case."""
    out = []
    for c in sorted(os.listdir(os.path.join(repo, "charts"))):
        r = subprocess.run([helm3, "template", "rel", os.path.join(repo, "charts", c)],
                           capture_output=True, text=True)
        if r.returncode == 0:
            out.append(("chart-" + c, r.stdout))
    corpus = os.path.join(repo, "..", "shared", "corpus")
    if os.path.isdir(corpus):
        for c in sorted(os.listdir(corpus)):
            f = os.path.join(corpus, c, "helm3.yaml")
            if os.path.isfile(f):
                out.append(("corpus-" + c, open(f, encoding="utf-8").read()))
    return out


def checkov(folder):
    """checkov's failed Kubernetes checks per file: {file: {(check, resource)}}."""
    r = subprocess.run(["checkov", "-d", folder, "--framework", "kubernetes", "-o", "json",
                        "--quiet", "--compact", "--skip-download"],
                       capture_output=True, text=True)
    reports = json.loads(r.stdout or "[]")
    if isinstance(reports, dict):
        reports = [reports]
    found = {}
    for rep in reports:
        for f in rep.get("results", {}).get("failed_checks", []):
            found.setdefault(f["file_path"].lstrip("/"), set()).add((f["check_id"], f["resource"]))
    return found


def renames(text):
    """Output name -> the name of the input object it stands for: a hashed Job's
    name before hashing, a generated object's source (premigrate.io/original-name)."""
    out, built = {}, {}
    for d in docs(text):
        obj = yaml.safe_load(d)
        if isinstance(obj, dict):
            md = obj.get("metadata") or {}
            ann = md.get("annotations") or {}
            orig = ann.get("premigrate.io/original-name")
            # A Job built from a workload stands for that workload (its pod spec).
            derived = ann.get("premigrate.io/derived-from")
            if derived:
                orig = derived.split(",")[0].split("/")[-1]
            if orig and md.get("name"):
                out[md["name"]] = orig
                if derived:
                    built[ann.get("premigrate.io/original-name")] = orig
    # What a generated object names as its source may itself be built: follow it.
    return {k: built.get(v, v) for k, v in out.items()}


# A render-time stamp at the end of a name (premigrate names such a Job by its
# content: src/plan/jobs/hash.rs, render_stamp), left out on both sides.
STAMP = re.compile(r"-(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}(-\d{2})?|\d{8}-\d{6}|\d{12}(\d{2})?|1\d{9})(?=$|\.)")


# A release revision at the end of a name (premigrate leaves it out of a
# Job's name before hashing: src/plan/jobs/hash.rs, revision_suffix).
REVISION = re.compile(r"-(r|rev|revision-|rev-)?\d{1,6}$")


def resource_key(resource, names):
    """checkov's resource id with output names replaced by the input names, and
    the kind left out: a Role generated for a migration is held to the findings of
    that migration's Job (its namespace, its account), a Job built from a workload
    to the workload's."""
    for new, old in sorted(names.items(), key=lambda kv: -len(kv[0])):
        resource = resource.replace(new, old)
    return REVISION.sub("", STAMP.sub("", resource.partition(".")[2]))


def main():
    premigrate, helm3, repo = sys.argv[1:4]
    problems, scanned, validated = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        pairs = []
        for name, stream in inputs(premigrate, helm3, repo):
            r = subprocess.run([premigrate, "--target", "gitops"], input=stream,
                               capture_output=True, text=True)
            if r.returncode != 0:
                print(f"{name}: premigrate refused it: {r.stderr.strip()}")
                continue
            if r.stdout == stream:
                continue
            pairs.append((name, renames(r.stdout)))
            for side, text in (("in", stream), ("out", r.stdout)):
                # One file per document: checkov names resources per file.
                for k, d in enumerate(docs(text)):
                    os.makedirs(os.path.join(tmp, side, name), exist_ok=True)
                    open(os.path.join(tmp, side, name, f"{k:04}.yaml"), "w").write(d)
            before = set(docs(stream))
            for d in docs(r.stdout):
                if d in before:
                    continue
                obj = yaml.safe_load(d)
                if not isinstance(obj, dict) or "kind" not in obj:
                    continue
                validated += 1
                try:
                    kubernetes_validate.validate(obj, K8S, strict=True)
                except kubernetes_validate.utils.SchemaNotFoundError:
                    pass
                except Exception as e:  # ValidationError, InvalidSchemaError
                    problems.append(f"{name}: {ident(obj)}: kubernetes-validate {K8S}: {e}")
        scanned = len(pairs)
        found = checkov(tmp)
        for name, names in pairs:
            def per_side(side):
                s = set()
                for f, checks in found.items():
                    if f.startswith(f"{side}/{name}/"):
                        s |= {(c, resource_key(res, names)) for c, res in checks}
                return s
            new = per_side("out") - per_side("in")
            for check, res in sorted(new):
                if check in ACCEPTED:
                    continue
                problems.append(f"{name}: checkov {check} on {res} (not in the input)")
    print(f"policy scan: {scanned} rewritten streams, {validated} added or changed documents "
          f"validated against Kubernetes {K8S}, one checkov run")
    for p in problems:
        print("NEW FINDING " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
