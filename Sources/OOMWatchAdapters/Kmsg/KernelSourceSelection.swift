/// Which kernel-line source the daemon should read.
public enum KernelSourceChoice: Sendable, Hashable {
    /// The journal can be read.
    case journal(JournalSource)
    /// No journal is readable (reason); `/dev/kmsg` (path) is.
    case kmsg(path: String, journalProblem: String)
    /// Neither can be read: the message says why for both.
    case unavailable(String)
}

/// Chooses between the journal and the `/dev/kmsg` fallback at start.
public enum KernelSourceSelection {
    /// The journal when its files exist and are readable and sd-journal opens them; else
    /// `/dev/kmsg` when readable; else `.unavailable` with a message naming both problems.
    public static func choose(journal: JournalSource, kmsgPath: String = "/dev/kmsg") -> KernelSourceChoice {
        let journalProblem: String
        if let problem = JournalAccess.problem(for: journal) {
            journalProblem = problem.description
        } else {
            do {
                _ = try SystemdJournal(source: journal)
                return .journal(journal)
            } catch {
                journalProblem = error.description
            }
        }
        if let kmsgProblem = KmsgReader.unreadableReason(path: kmsgPath) {
            return .unavailable("no kernel log source: \(journalProblem); and \(kmsgProblem)")
        }
        return .kmsg(path: kmsgPath, journalProblem: journalProblem)
    }
}
