import Audit

/// What a ValidatingAdmissionPolicy needs from one control: the objects it judges and the CEL
/// expression that admits exactly the objects the control passes.
struct AdmissionCheck {
    enum Target {
        /// Pods and every kind with a pod template, through `variables.podSpec` and `variables.containers`.
        case podTemplates
        case services
    }

    var target: Target
    /// True when the object passes the control.
    var admits: String
    /// Where the gate knows less than the audit, said in the policy's comment.
    var caveat: String?
}

/// The CEL of each control the API server can decide on the object being admitted, keyed by control ID,
/// built from the same controls configuration and the same lists the audit uses.
enum AdmissionChecks {
    static func check(for controlID: String, config: ControlsConfig) -> Result<AdmissionCheck, Undecidable> {
        switch controlID {
        case "C-0057":
            return .success(containers { c in "!(\(CEL.any([privileged(c), addsCapability(c, ["SYS_ADMIN"])])))" })
        case "C-0046":
            guard !config.insecureCapabilities.isEmpty else { return .failure(Undecidable("insecureCapabilities is empty in the controls configuration")) }
            return .success(containers { c in "!(\(addsCapability(c, config.insecureCapabilities)))" })
        case "C-0062":
            let sudo = CEL.string(sudoWord)
            return .success(containers { c in
                "(!has(\(c).command) || \(c).command.all(w, !w.matches(\(sudo)))) && (!has(\(c).args) || \(c).args.all(w, !w.matches(\(sudo))))"
            })
        case "C-0048":
            return .success(podSpec("!(\(hostPathVolume(mount: "true")))"))
        case "C-0045":
            return .success(podSpec("!(\(hostPathVolume(mount: "!(has(m.readOnly) && m.readOnly)")))"))
        case "C-0074":
            return .success(podSpec("!(\(hostPathVolume(mount: "true", path: runtimeSocketPathPattern)))",
                caveat: "hostPath paths with `..` are not resolved: the API server rejects them before admission policies run."))
        case "C-0041": return .success(podSpec(hostNamespaces(["hostNetwork"])))
        case "C-0038": return .success(podSpec(hostNamespaces(["hostPID", "hostIPC"])))
        case "C-0275": return .success(podSpec(hostNamespaces(["hostPID"])))
        case "C-0276": return .success(podSpec(hostNamespaces(["hostIPC"])))
        case "C-0044":
            return .success(containers { c in "!has(\(c).ports) || \(c).ports.all(p, !has(p.hostPort) || p.hostPort <= 0)" })
        case "C-0013":
            return .success(containers { c in
                let nonRoot = CEL.effective(c, "runAsNonRoot") { "\($0) == true" }
                let user = CEL.effective(c, "runAsUser") { "\($0) != 0" }
                let group = CEL.effective(c, "runAsGroup") { "\($0) != 0" }
                return "(\(nonRoot) || \(user)) && (\(group))"
            })
        case "C-0016":
            return .success(containers(
                { c in "\(CEL.present(c, "securityContext.allowPrivilegeEscalation")) && \(c).securityContext.allowPrivilegeEscalation == false" },
                caveat: "The audit passes every workload when a PodSecurityPolicy forbids escalation; clusters that run admission policies (1.30 and later) have no PodSecurityPolicy API, so the gate does not look for one."))
        case "C-0017":
            return .success(containers { c in "\(CEL.present(c, "securityContext.readOnlyRootFilesystem")) && \(c).securityContext.readOnlyRootFilesystem == true" })
        case "C-0055", "C-0210":
            return .success(containers { c in
                CEL.effective(c, "seccompProfile.type") { "\($0) in ['RuntimeDefault', 'Localhost']" }
            })
        case "C-0009": return .success(resources([("limits", "cpu"), ("limits", "memory")]))
        case "C-0270": return .success(resources([("limits", "cpu")]))
        case "C-0271": return .success(resources([("limits", "memory")]))
        case "C-0268": return .success(resources([("requests", "cpu")]))
        case "C-0269": return .success(resources([("requests", "memory")]))
        case "C-0075":
            let floating = CEL.string(":" + CEL.alternation(["latest"] + config.floatingImageTags) + "$")
            return .success(images { image in
                "!(has(c.imagePullPolicy) && c.imagePullPolicy in ['IfNotPresent', 'Never'] && \(image).matches(\(CEL.string(ImagePattern.undigested)))"
                    + " && (!\(image).matches(\(CEL.string(ImagePattern.tagged))) || \(image).matches(\(floating))))"
            })
        case "C-0078":
            let allowList = config.imageRepositoryAllowList.filter { !$0.isEmpty }
            guard !allowList.isEmpty else { return .failure(Undecidable("needs imageRepositoryAllowList in controls-config")) }
            return .success(images { image in
                "\(image).matches(\(CEL.string(ImagePattern.valid))) && (\(CEL.any(allowList.map { ImagePattern.allows($0, image: image) })))"
            })
        case "C-0306":
            let exempt = config.imageDigestExemptRepositories.filter { !$0.isEmpty }
            return .success(images { image in
                func matches(_ pattern: String) -> String { "\(image).matches(\(CEL.string(pattern)))" }
                let valid = matches(ImagePattern.valid)
                let pinned = "\(matches(ImagePattern.registeredDigest)) || (!\(matches(ImagePattern.registeredAlgorithm)) && \(matches(ImagePattern.otherDigest)))"
                let exempted = exempt.flatMap { entry in
                    [ImagePattern.allowsAsWritten(entry, image: image)] + (ImagePattern.allowsNormalized(entry, image: image).map { ["\(valid) && (\($0))"] } ?? [])
                }
                return CEL.any(exempted + ["\(valid) && (\(pinned))"])
            })
        case "C-0253":
            return .success(images { image in "!(\(image).matches(\(CEL.string(ImagePattern.valid))) && \(image).startsWith('k8s.gcr.io/'))" })
        case "C-0042":
            let ports = "[" + SSHPorts.all.sorted().map(String.init).joined(separator: ", ") + "]"
            return .success(AdmissionCheck(
                target: .services,
                admits: "!has(object.spec.ports) || object.spec.ports.all(p, !(p.port in \(ports)) && !(has(p.targetPort) && type(p.targetPort) == int && p.targetPort in \(ports)))",
                caveat: "A Service whose named targetPort resolves to container port 22 or 2222 is found by the audit only: the pods are not part of the Service being admitted."))
        default:
            return .failure(Undecidable(nil))
        }
    }

    /// Why a control has no policy; nil when the generator derives the reason from the control itself.
    struct Undecidable: Error {
        var reason: String?
        init(_ reason: String?) { self.reason = reason }
    }

    // MARK: - Building blocks

    static func podSpec(_ admits: String, caveat: String? = nil) -> AdmissionCheck {
        AdmissionCheck(target: .podTemplates, admits: admits, caveat: caveat)
    }

    /// Every container (init and ephemeral ones included) passes `test`, written over the variable `c`.
    static func containers(_ test: (String) -> String, caveat: String? = nil) -> AdmissionCheck {
        podSpec("variables.containers.all(c, \(test("c")))", caveat: caveat)
    }

    /// Every container that has an image passes `test`, written over `c.image`.
    static func images(_ test: (String) -> String) -> AdmissionCheck {
        containers { c in "!has(\(c).image) || (\(test("\(c).image")))" }
    }

    /// Regular and init containers set each resource: the API rejects resources on ephemeral containers.
    static func resources(_ fields: [(section: String, resource: String)]) -> AdmissionCheck {
        let tests = fields.map { "has(c.resources) && has(c.resources.\($0.section)) && '\($0.resource)' in c.resources.\($0.section)" }
        return podSpec("variables.resourcedContainers.all(c, \(CEL.all(tests)))")
    }

    static func privileged(_ c: String) -> String {
        "\(CEL.present(c, "securityContext.privileged")) && \(c).securityContext.privileged == true"
    }

    /// `capabilities.add` names one of `capabilities` as the runtime reads names: any case, `CAP_` optional.
    static func addsCapability(_ c: String, _ capabilities: [String]) -> String {
        let names = capabilities.map(LinuxCapability.canonical)
        let pattern = "(?i)^(?:CAP_)?" + CEL.alternation(names) + "$"
        return "\(CEL.present(c, "securityContext.capabilities.add")) && \(c).securityContext.capabilities.add.exists(a, a.matches(\(CEL.string(pattern))))"
    }

    static func hostNamespaces(_ fields: [String]) -> String {
        CEL.all(fields.map { "!(has(variables.podSpec.\($0)) && variables.podSpec.\($0) == true)" })
    }

    /// A hostPath volume (whose path matches `path`, when given) that a container mounts with a mount
    /// `m` for which `mount` holds.
    static func hostPathVolume(mount: String, path: String? = nil) -> String {
        let pathTest = path.map { " && v.hostPath.path.matches(\(CEL.string($0)))" } ?? ""
        return "has(variables.podSpec.volumes) && variables.podSpec.volumes.exists(v, has(v.hostPath)\(pathTest)"
            + " && variables.containers.exists(c, has(c.volumeMounts) && c.volumeMounts.exists(m, m.name == v.name && (\(mount)))))"
    }

    /// `sudo` as a word: not preceded or followed by a letter, digit, `_`, `.` or `-` (the audit's rule).
    static let sudoWord = "(?:^|[^0-9A-Za-z_.-])sudo(?:[^0-9A-Za-z_.-]|$)"

    /// Every spelling of a path whose canonical form is a runtime socket or a directory above one:
    /// repeated slashes, `.` components and a trailing slash are the spellings the API server admits.
    static var runtimeSocketPathPattern: String {
        var exposing = Set(["/"])
        for socket in ContainerRuntimeSocket.paths {
            var path = ""
            for component in socket.split(separator: "/") {
                path += "/\(component)"
                exposing.insert(path)
            }
        }
        let spellings = exposing.sorted().map { path -> String in
            let components = path.split(separator: "/").map { CEL.regexEscaped(String($0)) }
            if components.isEmpty { return "(?:\\.?/)*\\.?" }
            return "(?:\\.?/+)*" + components.joined(separator: "/+(?:\\./+)*") + "(?:/+\\.?)*"
        }
        return "^(?:" + spellings.joined(separator: "|") + ")$"
    }
}
