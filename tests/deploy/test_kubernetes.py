"""deploy/k8s, rendered with kustomize's rules (tests/deploy/kustomize.py) for every overlay and
checked: Kubernetes' schemas (kubernetes-validate, strict: unknown fields fail), the custom
resources' fields, and what Treffpunkt relies on (probes, limits, security, autoscaling, config
and secrets, topics)."""

import copy
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml

from registration.entrypoints import calendar_feeds, pages
from tests.deploy import custom_resources
from tests.deploy.dockerfile import parse
from tests.deploy.kustomize import render
from tests.deploy.project import REPO, SERVICES, consumed_topics, env_names, http_port
from treffpunkt_shared.topics import all_topics

K8S = REPO / "deploy" / "k8s"
# The oldest Kubernetes the manifests are for (matchLabelKeys in topology spread: 1.27+).
KUBERNETES_VERSION = "1.32.0"
OVERLAYS = ("dev", "production", "production-keda")
KEDA_SCALED = {"catalog", "notification"}  # the Deployments components/keda scales
OPERATIONS_ROUTES = ("/metrics", "/healthz", "/readyz")
SECRET_NAMES = ("PASSWORD", "SECRET", "TOKEN", "DATABASE_URL")

Resource = dict[str, Any]


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return request.param


_rendered: dict[str, list[Resource]] = {}


@pytest.fixture
def manifests(overlay: str) -> list[Resource]:
    if overlay not in _rendered:
        _rendered[overlay] = render(K8S / "overlays" / overlay)
    return copy.deepcopy(_rendered[overlay])


def of_kind(manifests: list[Resource], kind: str) -> dict[str, Resource]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def config_map(manifests: list[Resource]) -> dict[str, str]:
    (configmap,) = of_kind(manifests, "ConfigMap").values()
    return configmap["data"]


def pod_spec(workload: Resource) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def the_container(workload: Resource) -> dict[str, Any]:
    (container,) = pod_spec(workload)["containers"]
    return container


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


# ---- schemas -----------------------------------------------------------------------------------

def test_every_manifest_validates(manifests: list[Resource]) -> None:
    for manifest in manifests:
        if (manifest["apiVersion"], manifest["kind"]) in custom_resources.SCHEMAS:
            custom_resources.validate(manifest)
        else:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_validation_rejects_misspelt_fields(manifests: list[Resource]) -> None:
    deployment = copy.deepcopy(of_kind(manifests, "Deployment")["catalog"])
    the_container(deployment)["securityContext"]["readOnlyRootFileSystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    topic = copy.deepcopy(next(iter(of_kind(manifests, "KafkaTopic").values())))
    topic["spec"]["partition"] = topic["spec"].pop("partitions")
    with pytest.raises(jsonschema.ValidationError):
        custom_resources.validate(topic)


def test_hpa_behavior_of_scaled_objects_is_valid(manifests: list[Resource]) -> None:
    for scaled in of_kind(manifests, "ScaledObject").values():
        behavior = scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
        hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "keda"},
               "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "x"}, "maxReplicas": 1, "behavior": behavior}}
        kubernetes_validate.validate(hpa, KUBERNETES_VERSION, strict=True)


def test_nothing_secret_is_committed(manifests: list[Resource]) -> None:
    assert not of_kind(manifests, "Secret"), "Secrets are created by the operator, not committed"
    for key in config_map(manifests):
        assert not any(word in key for word in SECRET_NAMES), f"{key} belongs in a Secret"
    for kind in ("Deployment", "Job"):
        for workload in of_kind(manifests, kind).values():
            for var in the_container(workload).get("env", []):
                if any(word in var["name"] for word in SECRET_NAMES):
                    assert "secretKeyRef" in var.get("valueFrom", {}), f"{var['name']} must come from a Secret"


# ---- workloads ---------------------------------------------------------------------------------

def test_one_deployment_and_one_migration_job_per_service(manifests: list[Resource]) -> None:
    deployments, jobs = of_kind(manifests, "Deployment"), of_kind(manifests, "Job")
    assert set(deployments) == set(SERVICES)
    assert set(jobs) == {f"{s}-migrate" for s in SERVICES}
    for service in SERVICES:
        deployment, job = deployments[service], jobs[f"{service}-migrate"]
        assert the_container(deployment)["args"] == ["serve"]
        assert the_container(job)["args"] == ["migrate"]
        assert the_container(job)["image"] == the_container(deployment)["image"]
        assert pod_spec(job)["restartPolicy"] == "Never"
        # The autoscaler owns the replica count.
        assert "replicas" not in deployment["spec"]
        # Pods of the Job must not count as the Deployment's (nor its Service's).
        assert not selects(deployment["spec"]["selector"]["matchLabels"], job["spec"]["template"]["metadata"]["labels"])


def test_images_are_the_overlays_pinned_images(manifests: list[Resource], overlay: str) -> None:
    for kind in ("Deployment", "Job"):
        for workload in of_kind(manifests, kind).values():
            image = the_container(workload)["image"]
            name, _, tag = image.rpartition(":")
            assert name.endswith("treffpunkt/" + workload["metadata"]["labels"]["app.kubernetes.io/name"])
            assert tag and tag != "latest", f"{image}: an overlay sets the tag"
            if overlay.startswith("production"):
                assert "/" in name.split("treffpunkt/")[0], "production pulls from a registry"


def test_deployments_have_probes_resources_and_graceful_shutdown(manifests: list[Resource]) -> None:
    for service, deployment in of_kind(manifests, "Deployment").items():
        container = the_container(deployment)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"http": http_port(service)}
        probes = {kind: container[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
        assert probes["livenessProbe"]["path"] == probes["startupProbe"]["path"] == "/healthz"
        assert probes["readinessProbe"]["path"] == "/readyz"
        assert all(probe["port"] == "http" for probe in probes.values())
        # /readyz gives each check 2 s: the probe must wait longer than that.
        assert container["readinessProbe"]["timeoutSeconds"] > 2
        # uvicorn's graceful shutdown takes up to 20 s (treffpunkt_shared.cli).
        assert pod_spec(deployment)["terminationGracePeriodSeconds"] > 20
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(http_port(service))
        assert annotations["prometheus.io/path"] == "/metrics"


def test_every_pod_has_resources_and_runs_locked_down(manifests: list[Resource]) -> None:
    uid = int(parse(REPO / "Dockerfile").stages["runtime"].one("USER").arguments.split(":")[0])
    for kind in ("Deployment", "Job"):
        for workload in of_kind(manifests, kind).values():
            spec, container = pod_spec(workload), the_container(workload)
            where = f"{kind} {workload['metadata']['name']}"
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), f"{where}: {bound}"
            assert spec["securityContext"]["runAsNonRoot"] is True
            assert spec["securityContext"]["runAsUser"] == uid, f"{where}: the image's user"
            assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            # The only writable place: /tmp, an emptyDir.
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            volumes = {v["name"]: v for v in spec["volumes"]}
            assert mounts == {"/tmp": "tmp"} and "emptyDir" in volumes["tmp"], where
            assert spec["automountServiceAccountToken"] is False
            # Service links would put CATALOG_PORT=tcp://... into the services' own prefixes.
            assert spec["enableServiceLinks"] is False


def test_deployments_spread_over_zones_and_nodes(manifests: list[Resource]) -> None:
    for deployment in of_kind(manifests, "Deployment").values():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        constraints = pod_spec(deployment)["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in constraints} == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
        for constraint in constraints:
            assert selects(constraint["labelSelector"]["matchLabels"], pod_labels)
            assert constraint["labelSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]


# ---- configuration -----------------------------------------------------------------------------

def test_configuration_names_only_settings_the_services_have(manifests: list[Resource]) -> None:
    everything = set().union(*(env_names(s) for s in SERVICES))
    unknown = set(config_map(manifests)) - everything
    assert not unknown, f"no service reads {unknown}"
    for kind in ("Deployment", "Job"):
        for workload in of_kind(manifests, kind).values():
            service = workload["metadata"]["labels"]["app.kubernetes.io/name"]
            container = the_container(workload)
            names = {var["name"] for var in container.get("env", [])}
            assert names <= env_names(service), f"{kind} {service}: {names - env_names(service)}"
            assert "DATABASE_URL" in names
            if service == "registration":
                assert "REGISTRATION_SIGNING_SECRET" in names, "required by every registration command"
            for var in container.get("env", []):
                ref = var["valueFrom"]["secretKeyRef"]
                assert ref["name"] == f"treffpunkt-{service}", "each service has its own Secret"
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in of_kind(manifests, "ConfigMap")


def test_migration_jobs_need_no_config_map(manifests: list[Resource]) -> None:
    # So they can run before anything else is applied (deploy/README.md: `-l` component=migration).
    for job in of_kind(manifests, "Job").values():
        assert "envFrom" not in the_container(job)


def test_services_reach_kafka_of_the_strimzi_cluster_of_the_topics(manifests: list[Resource]) -> None:
    bootstrap = config_map(manifests)["KAFKA_BOOTSTRAP_SERVERS"]
    clusters = {t["metadata"]["labels"]["strimzi.io/cluster"] for t in of_kind(manifests, "KafkaTopic").values()}
    assert len(clusters) == 1
    # Strimzi names the bootstrap Service `<cluster>-kafka-bootstrap`.
    assert all(server.startswith(f"{clusters.pop()}-kafka-bootstrap") for server in bootstrap.split(","))


# ---- traffic -----------------------------------------------------------------------------------

def test_services_select_their_deployments_pods(manifests: list[Resource]) -> None:
    deployments = of_kind(manifests, "Deployment")
    for name, service in of_kind(manifests, "Service").items():
        pods = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert selects(service["spec"]["selector"], pods)
        container_ports = {p["name"] for p in the_container(deployments[name])["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= container_ports
    assert set(of_kind(manifests, "Service")) == set(SERVICES)


def ingress_serves(ingress: Resource, path: str) -> bool:
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            prefix = entry["path"]
            if entry["pathType"] == "Exact" and path == prefix:
                return True
            if entry["pathType"] == "Prefix" and (path == prefix or path.startswith(prefix.rstrip("/") + "/")):
                return True
    return False


def registration_routes() -> set[str]:
    from registration.bootstrap import create_app
    from registration.settings import RegistrationSettings

    app = create_app(RegistrationSettings(signing_secret="x" * 32))
    # The OpenAPI paths, and the HTML pages (the embed variant too), calendar feeds and the pages' static
    # files, which it leaves out.
    hidden = [*pages.router.routes, *calendar_feeds.router.routes]
    static = {"/static/public.css", "/static/embed.js", "/static/embed-frame.js"}
    return set(app.openapi()["paths"]) | {route.path for route in hidden} | static


def staff_routes() -> set[str]:
    from staff.bootstrap import create_app
    from staff.entrypoints import pages as staff_pages
    from staff.settings import StaffSettings

    app = create_app(StaffSettings())
    static = {f"/static/{path.name}" for path in (REPO / "services/staff/staff/static").iterdir()}
    return set(app.openapi()["paths"]) | {route.path for route in staff_pages.router.routes} | static


def test_each_public_service_has_its_ingress_and_only_it_is_behind_it(manifests: list[Resource]) -> None:
    ingresses = of_kind(manifests, "Ingress")
    assert set(ingresses) == {"registration", "staff"}
    for name, ingress in ingresses.items():
        for rule in ingress["spec"]["rules"]:
            for entry in rule["http"]["paths"]:
                assert entry["backend"]["service"] == {"name": name, "port": {"name": "http"}}


@pytest.mark.parametrize("service, routes", [("registration", registration_routes), ("staff", staff_routes)])
def test_ingress_publishes_the_services_routes_and_not_operations(manifests: list[Resource], service: str,
                                                                   routes) -> None:
    ingress = of_kind(manifests, "Ingress")[service]
    for route in routes():
        if route in OPERATIONS_ROUTES:
            assert not ingress_serves(ingress, route), f"{route} must stay inside the cluster"
        else:
            assert ingress_serves(ingress, route), f"{service}: {route} is not reachable through the Ingress"
    assert not ingress_serves(ingress, "/metrics")


@pytest.mark.parametrize("service, setting", [("registration", "REGISTRATION_PUBLIC_BASE_URL"),
                                              ("staff", "STAFF_ISSUER")])
def test_public_url_is_the_ingress_host(manifests: list[Resource], overlay: str, service: str, setting: str) -> None:
    ingress = of_kind(manifests, "Ingress")[service]
    base = urlsplit(config_map(manifests)[setting])
    assert [rule["host"] for rule in ingress["spec"]["rules"]] == [base.hostname]
    if overlay.startswith("production"):
        assert base.scheme == "https"
        assert ingress["spec"]["tls"][0]["hosts"] == [base.hostname]


# ---- scaling and disruption --------------------------------------------------------------------

def test_every_deployment_has_exactly_one_autoscaler(manifests: list[Resource], overlay: str) -> None:
    hpas, scaled = of_kind(manifests, "HorizontalPodAutoscaler"), of_kind(manifests, "ScaledObject")
    targets = [h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()]
    targets += [s["spec"]["scaleTargetRef"]["name"] for s in scaled.values()]
    # An HPA and a ScaledObject (KEDA's own HPA) on one Deployment would fight over its replicas.
    assert sorted(targets) == sorted(SERVICES)
    assert {s["spec"]["scaleTargetRef"]["name"] for s in scaled.values()} == (KEDA_SCALED if overlay.endswith("keda") else set())
    for hpa in hpas.values():
        spec = hpa["spec"]
        assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": hpa["metadata"]["name"]}
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
        (metric,) = spec["metrics"]
        assert metric["resource"]["name"] == "cpu" and metric["resource"]["target"]["type"] == "Utilization"


def test_scaled_objects_follow_the_consumer_group_lag_of_the_topics_consumed(manifests: list[Resource]) -> None:
    bootstrap = config_map(manifests)["KAFKA_BOOTSTRAP_SERVERS"]
    partitions = {t.name: t.partitions for t in all_topics()}
    for name, scaled in of_kind(manifests, "ScaledObject").items():
        spec = scaled["spec"]
        assert spec["scaleTargetRef"]["name"] == name and name in of_kind(manifests, "Deployment")
        kafka = [t["metadata"] for t in spec["triggers"] if t["type"] == "kafka"]
        assert {t["topic"] for t in kafka} == consumed_topics(name)
        for trigger in kafka:
            assert trigger["consumerGroup"] == name, "the consumer group is the service's name"
            assert trigger["bootstrapServers"] == bootstrap
            assert trigger["offsetResetPolicy"] == "earliest", "as the consumers (auto_offset_reset)"
        assert [t["type"] for t in spec["triggers"] if t["type"] != "kafka"] == ["cpu"], "the HTTP side still scales"
        # More consumers than partitions would idle on the Kafka side.
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= max(partitions[t] for t in consumed_topics(name))


def test_every_deployment_has_a_disruption_budget(manifests: list[Resource]) -> None:
    deployments = of_kind(manifests, "Deployment")
    budgets = of_kind(manifests, "PodDisruptionBudget")
    assert set(budgets) == set(deployments)
    for name, budget in budgets.items():
        assert budget["spec"]["selector"]["matchLabels"] == deployments[name]["spec"]["selector"]["matchLabels"]
        # maxUnavailable (not minAvailable) lets a single replica be drained in dev too.
        assert budget["spec"]["maxUnavailable"] == 1


# ---- topics ------------------------------------------------------------------------------------

def test_a_kafka_topic_for_every_topic_with_partitions_and_retention(manifests: list[Resource], overlay: str) -> None:
    topics = {t["spec"]["topicName"]: t for t in of_kind(manifests, "KafkaTopic").values()}
    assert set(topics) == {t.name for t in all_topics()}
    for topic in all_topics():
        resource = topics[topic.name]
        spec = resource["spec"]
        assert resource["metadata"]["name"] == topic.name
        assert spec["partitions"] == topic.partitions
        assert spec["config"]["retention.ms"] == topic.retention_ms
        assert spec["config"]["cleanup.policy"] == ("compact" if topic.compacted else "delete")
        assert 1 <= spec["config"]["min.insync.replicas"] <= spec["replicas"]
        if overlay.startswith("production"):
            assert spec["replicas"] >= 3 and spec["config"]["min.insync.replicas"] >= 2, "survives a broker outage"
        if topic.personal_data:
            assert spec["config"]["retention.ms"] > 0 and spec["config"]["cleanup.policy"] == "delete"


def test_base_is_namespace_agnostic() -> None:
    for manifest in render(K8S / "base"):
        assert "namespace" not in manifest["metadata"]
    for path in K8S.rglob("*.yaml"):
        assert not re.search(r"^\s*namespace:", path.read_text(), re.MULTILINE), f"{path}: namespaces are chosen at apply time"


def test_every_file_under_deploy_k8s_is_rendered() -> None:
    """No manifest lies around unused (and so unchecked)."""
    used: set[Path] = set()
    for directory in [K8S / "base", K8S / "components" / "keda", *(K8S / "overlays").iterdir()]:
        used.add(directory / "kustomization.yaml")
        kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
        used |= {(directory / r).resolve() for r in kustomization.get("resources", []) if (directory / r).is_file()}
    assert {p.resolve() for p in K8S.rglob("*.yaml")} == {p.resolve() for p in used}
