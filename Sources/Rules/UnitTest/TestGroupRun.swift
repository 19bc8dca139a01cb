import Model
import PromQL
import TSDB

/// One test group's run: promtool's `testGroup.test`.
struct TestGroupRun {
    let test: RuleTestGroup
    let file: RuleTestFile
    let ruleFiles: Result<[RuleFile], RuleFileError>
    let order: [String: Int]
    let readSeries: RuleTestRunner.SeriesReader
    let experimentalPromQL: Bool

    /// promtool's test engine: at most 10,000 samples a query, 100 s timeout, subqueries
    /// without a step use the evaluation interval.
    var engine: Engine {
        var options = EngineOptions()
        options.maxSamples = 10_000
        options.timeout = .seconds(100)
        options.subqueryDefaultStep = file.evaluationInterval
        options.enableExperimentalFunctions = experimentalPromQL
        return Engine(options: options)
    }

    /// The failures, in promtool's words; empty when the group passes.
    func run() -> [String] {
        let interval = test.interval ?? file.evaluationInterval
        let start = test.startTimestamp
        var input: InputData
        switch loadInput(step: interval, start: start) {
        case .success(let data): input = data
        case .failure(let error): return [error.message]
        }
        let definitions: [RuleFile]
        switch ruleFiles {
        case .success(let files): definitions = files
        case .failure(let error): return error.diagnostics.map(\.description)
        }
        let engine = self.engine
        let ruleOptions = RuleEvaluationOptions(
            engine: engine, defaultInterval: interval, defaultQueryOffset: 0,
            externalLabels: test.externalLabels, externalURL: test.externalURL)
        var groups = orderedGroups(definitions, options: ruleOptions)

        for alert in test.alertTests where alert.alertname.isEmpty {
            let inGroup = test.name.isEmpty ? "" : " (in TestGroup \(test.name))"
            return ["an item under alert_rule_test misses required attribute alertname at eval_time \(GoFormat.modelDuration(alert.evalTime))\(inGroup)"]
        }
        // Alert tests by eval_time, in time order.
        var alertTimes: [Int64] = []
        var alertTests: [Int64: [AlertTestCase]] = [:]
        for alert in test.alertTests {
            if alertTests[alert.evalTime] == nil { alertTimes.append(alert.evalTime) }
            alertTests[alert.evalTime, default: []].append(alert)
        }
        alertTimes.sort()

        let storage = Head()
        let evalInterval = file.evaluationInterval
        let end = start + test.maxEvalTime
        var errors: [String] = []
        var next = 0
        var ts = start
        while ts <= end {
            var evalErrors: [String] = []
            var loaded = true
            do {
                try input.append(till: ts, to: storage)
            } catch {
                // As promtool: the failed load is reported and this step's evaluation skipped.
                errors.append("\(error)")
                loaded = false
            }
            for g in groups.indices where loaded {
                let evaluation = groups[g].evaluate(at: ts, storage: storage)
                for (rule, error) in evaluation.errors {
                    evalErrors.append("    rule: \(groups[g].rules[rule].name), time: \(GoFormat.timeDuration(ts)), err: \(error)")
                }
            }
            errors += evalErrors
            if !evalErrors.isEmpty { return errors }

            // Alert tests with ts <= eval_time < ts + interval are checked against this evaluation.
            while next < alertTimes.count, ts - start <= alertTimes[next], alertTimes[next] < ts + evalInterval - start {
                let time = alertTimes[next]
                errors += checkAlerts(alertTests[time]!, groups: groups)
                next += 1
            }
            ts += evalInterval
        }

        for promql in test.promqlTests {
            if let failure = checkPromQL(promql, engine: engine, storage: storage, start: start) { errors.append(failure) }
        }
        return errors
    }

    // MARK: Input

    /// The input series, expanded, waiting to be appended.
    struct InputData {
        var series: [(labels: Labels, samples: [(t: Int64, v: Double)])]
        var nextSample: [Int]

        /// Appends every sample at or before `time` not yet appended, as one transaction.
        mutating func append(till time: Int64, to head: Head) throws {
            var appender = head.appender()
            for i in series.indices {
                let samples = series[i].samples
                var k = nextSample[i]
                while k < samples.count, samples[k].t <= time {
                    try appender.append(series[i].labels, samples[k].t, samples[k].v)
                    k += 1
                }
                nextSample[i] = k
            }
            try appender.commit()
        }
    }

    /// promtool's `load INTERVAL` of the input series: sample `i` at `start + i × step`; a
    /// series given twice keeps its last definition.
    private func loadInput(step: Int64, start: Int64) -> Result<InputData, InputError> {
        var index: [Labels: Int] = [:]
        var series: [(labels: Labels, samples: [(t: Int64, v: Double)])] = []
        for input in test.inputSeries {
            let parsed: (labels: Labels, values: [Double?])
            do {
                parsed = try readSeries("\(input.series) \(input.values)")
            } catch {
                return .failure(InputError(message: "\(input.location): input series \(GoString.quote(input.series)) with values \(GoString.quote(input.values)): \(error)"))
            }
            var samples: [(t: Int64, v: Double)] = []
            for (i, value) in parsed.values.enumerated() {
                if let value { samples.append((start + Int64(i) * step, value)) }
            }
            if let existing = index[parsed.labels] {
                series[existing].samples = samples
            } else {
                index[parsed.labels] = series.count
                series.append((parsed.labels, samples))
            }
        }
        return .success(InputData(series: series, nextSample: Array(repeating: 0, count: series.count)))
    }

    struct InputError: Error {
        var message: String
    }

    // MARK: Rule groups

    /// Every group of every rule file, ordered by `group_eval_order` (groups not named there
    /// rank with the first named one, as in promtool), ties in file order.
    private func orderedGroups(_ files: [RuleFile], options: RuleEvaluationOptions) -> [RuleGroup] {
        var groups: [(rank: Int, position: Int, group: RuleGroup)] = []
        for file in files {
            for definition in file.groups {
                groups.append((order[definition.name] ?? 0, groups.count, RuleGroup(definition, file: file.path, options: options)))
            }
        }
        return groups.sorted { ($0.rank, $0.position) < ($1.rank, $1.position) }.map(\.group)
    }

    // MARK: Checks

    /// Compares the firing alerts of each test's alertname with the expected ones.
    private func checkAlerts(_ tests: [AlertTestCase], groups: [RuleGroup]) -> [String] {
        let names = Set(tests.map(\.alertname))
        // The same alert name may be used by several rules, in several groups.
        var got: [String: [LabelsAndAnnotations]] = [:]
        for group in groups {
            for rule in group.alertingRules where names.contains(rule.name) {
                let firing = rule.activeAlerts.filter { $0.state == .firing }
                got[rule.name, default: []] += firing.map { LabelsAndAnnotations(labels: $0.labels, annotations: $0.annotations) }
            }
        }
        var failures: [String] = []
        for test in tests {
            let gotAlerts = (got[test.alertname] ?? []).sorted()
            let expected = test.expectedAlerts.map { alert in
                var labels = alert.labels
                labels[LabelName.alertName] = test.alertname
                return LabelsAndAnnotations(
                    labels: Labels(labels.map { Label($0.key, $0.value) }),
                    annotations: Labels(alert.annotations.map { Label($0.key, $0.value) }))
            }.sorted()
            guard expected != gotAlerts else { continue }
            let testName = self.test.name.isEmpty ? "" : "    name: \(self.test.name),\n"
            let exp = GoFormat.indentLines(LabelsAndAnnotations.describe(expected), String(repeating: " ", count: 12))
            let gotText = GoFormat.indentLines(LabelsAndAnnotations.describe(gotAlerts), String(repeating: " ", count: 12))
            failures.append("\(testName)    alertname: \(test.alertname), time: \(GoFormat.modelDuration(test.evalTime)), \n        exp:\(exp), \n        got:\(gotText)")
        }
        return failures
    }

    /// Runs one PromQL test; nil when it passes.
    private func checkPromQL(_ test: PromQLTestCase, engine: Engine, storage: Head, start: Int64) -> String? {
        let prefix = "    expr: \(GoString.quote(test.expr)), time: \(GoFormat.modelDuration(test.evalTime))"
        let got: [ComparedSample]
        do {
            let result = try engine.instantQuery(test.expr, at: start + test.evalTime, on: storage)
            switch result.value {
            case .vector(let vector): got = vector.map { ComparedSample(labels: $0.labels, value: $0.value) }
            case .scalar(_, let value): got = [ComparedSample(labels: .empty, value: value)]
            default: return "\(prefix), err: rule result is not a vector or scalar"
            }
        } catch {
            return "\(prefix), err: \(error)"
        }
        var expected: [ComparedSample] = []
        for sample in test.expectedSamples {
            let labels: Labels
            do {
                labels = try PromQLParser.parseMetric(sample.labels)
            } catch {
                return "\(prefix), err: labels \(GoString.quote(sample.labels)): \(error)"
            }
            if !sample.histogram.isEmpty {
                return "\(prefix), err: labels \(GoString.quote(sample.labels)): native histograms are not supported"
            }
            expected.append(ComparedSample(labels: labels, value: sample.value))
        }
        let exp = expected.sorted { $0.labels < $1.labels }
        let gotSorted = got.sorted { $0.labels < $1.labels }
        let equal = exp.count == gotSorted.count && zip(exp, gotSorted).allSatisfy { a, b in
            a.labels == b.labels && Self.equal(a.value, b.value, fuzzy: file.fuzzyCompare)
        }
        if equal { return nil }
        return "\(prefix),\n        exp: \(ComparedSample.describe(exp))\n        got: \(ComparedSample.describe(gotSorted))"
    }

    /// Go's `==` on floats (NaN never equals, -0 equals 0); with `fuzzy_compare`, also one
    /// step of the last mantissa bit apart.
    static func equal(_ a: Double, _ b: Double, fuzzy: Bool) -> Bool {
        a == b || (fuzzy && (a.nextDown == b || a.nextUp == b))
    }
}

/// An alert as promtool compares it: its labels and annotations.
struct LabelsAndAnnotations: Comparable {
    var labels: Labels
    var annotations: Labels

    static func < (a: Self, b: Self) -> Bool {
        a.labels != b.labels ? a.labels < b.labels : a.annotations < b.annotations
    }

    /// promtool's rendering of a list: `[]`, or `[\n0:\n  Labels:{…}\n  Annotations:{…},\n1:…\n]`.
    static func describe(_ list: [Self]) -> String {
        guard !list.isEmpty else { return "[]" }
        var out = "["
        for (i, item) in list.enumerated() {
            out += (i == 0 ? "\n" : ",\n") + "\(i):" + GoFormat.indentLines("\nLabels:\(item.labels)\nAnnotations:\(item.annotations)", "  ")
        }
        return out + "\n]"
    }
}

/// A sample as promtool compares it.
struct ComparedSample {
    var labels: Labels
    var value: Double

    /// promtool's rendering: `nil`, or `{…} 5E+01, {…} 1E+00`.
    static func describe(_ samples: [ComparedSample]) -> String {
        guard !samples.isEmpty else { return "nil" }
        return samples.map { "\($0.labels) \(GoFormat.exponent($0.value))" }.joined(separator: ", ")
    }
}
