/**
 * The demo company's question bank: five questions a team could really use, seeded once into a development
 * database (wecom/index.ts, with the demo roles) so the room has something to interview with at once.
 *
 * Bilingual scheme: every statement and guidance is one markdown text, Chinese first, then a horizontal rule
 * (`---`), then the same text in English; titles read "中文 · English". Starter code has comments in both.
 * Starter code prints the examples' results, so pressing Run shows at once what the code does; where the question has
 * test cases (Two Sum, Merge Intervals) it reads a case from stdin and runs the examples only when stdin is empty,
 * and the statement says the input and output format. Each of those has visible cases (the examples the candidate
 * sees) and hidden ones (edge cases and a large input, for the panel only). The SQL starter
 * creates and fills its tables and runs on SQLite (the browser runner) and PostgreSQL alike.
 */
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/pool.ts';
import type { Difficulty, TestCase } from '../db/schema.ts';
import type { LanguageId } from '../rooms/languages.ts';
import { createQuestion } from './service.ts';

export interface DemoQuestion {
  title: string;
  difficulty: Difficulty;
  tags: string[];
  statement: string;
  starterCode: Partial<Record<LanguageId, string>>;
  guidance: string;
  /** Through stdin and stdout (the statement says the format); the starter code reads the input. */
  testCases?: TestCase[];
}

const twoSum: DemoQuestion = {
  title: '两数之和 · Two Sum',
  difficulty: 'easy',
  tags: ['array', 'hash-map'],
  statement: `给定一个整数数组 \`nums\` 和一个整数 \`target\`，找出数组中**两个不同位置**上和为 \`target\` 的元素，返回它们的下标 \`[i, j]\`（\`i < j\`）。

- 每组输入恰好有一个答案。
- 同一个位置的元素不能用两次，但两个位置上的数值可以相同（例如 \`[3, 3]\`）。

**示例**

\`\`\`
输入：nums = [2, 7, 11, 15], target = 9
输出：[0, 1]        因为 2 + 7 = 9

输入：nums = [3, 2, 4], target = 6
输出：[1, 2]
\`\`\`

**约束**：\`2 ≤ nums.length ≤ 10⁵\`，\`-10⁹ ≤ nums[i], target ≤ 10⁹\`。请先讲思路和复杂度，再写代码。

**测试用例的输入与输出**：标准输入第一行是 \`nums\`（空格分隔），第二行是 \`target\`；程序输出 \`i j\`。初始代码已经读好输入，只需完成函数。

---

Given an array of integers \`nums\` and an integer \`target\`, find the elements at **two different positions** that add up to \`target\` and return their indices \`[i, j]\` with \`i < j\`.

- Each input has exactly one answer.
- You may not use the same position twice, but two positions may hold the same value (e.g. \`[3, 3]\`).

**Examples**

\`\`\`
Input:  nums = [2, 7, 11, 15], target = 9
Output: [0, 1]      because 2 + 7 = 9

Input:  nums = [3, 2, 4], target = 6
Output: [1, 2]
\`\`\`

**Constraints**: \`2 ≤ nums.length ≤ 10⁵\`, \`-10⁹ ≤ nums[i], target ≤ 10⁹\`. Explain your approach and its complexity before coding.

**Test cases' input and output**: stdin holds \`nums\` on the first line (space-separated) and \`target\` on the second; the program prints \`i j\`. The starter code reads the input already: only the function is left to write.
`,
  starterCode: {
    javascript: `/**
 * 返回下标 [i, j]（i < j），使 nums[i] + nums[j] === target。
 * Return indices [i, j] (i < j) such that nums[i] + nums[j] === target.
 * @param {number[]} nums
 * @param {number} target
 * @returns {number[]}
 */
function twoSum(nums, target) {
  // TODO
  return [-1, -1];
}

// 输入：第一行 nums（空格分隔），第二行 target；输出 "i j"。没有输入时运行示例。
// Input: nums on line 1 (space-separated), target on line 2; prints "i j". Without input, runs the examples.
// stdin 在浏览器中是全局变量，在服务器上由 Node 读入。stdin is a global in the browser; on the server Node reads it.
const input = typeof stdin === 'string' ? stdin : require('fs').readFileSync(0, 'utf8');
const cases = input.trim() ? [input] : ['2 7 11 15\\n9', '3 2 4\\n6', '3 3\\n6'];
for (const text of cases) {
  const [numsLine, targetLine] = text.trim().split('\\n');
  const nums = numsLine.trim().split(/\\s+/).map(Number);
  console.log(twoSum(nums, Number(targetLine)).join(' '));
}
`,
    typescript: `// 返回下标 [i, j]（i < j），使 nums[i] + nums[j] === target。
// Return indices [i, j] (i < j) such that nums[i] + nums[j] === target.
function twoSum(nums: number[], target: number): [number, number] {
  // TODO
  return [-1, -1];
}

// 输入：第一行 nums（空格分隔），第二行 target；输出 "i j"。没有输入时运行示例。
// Input: nums on line 1 (space-separated), target on line 2; prints "i j". Without input, runs the examples.
// stdin 在浏览器中是全局变量，在服务器上由 Node 读入。stdin is a global in the browser; on the server Node reads it.
declare const stdin: string | undefined;
declare const require: (module: string) => { readFileSync(fd: number, encoding: string): string };
const input: string = typeof stdin === 'string' ? stdin : require('fs').readFileSync(0, 'utf8');
const cases = input.trim() ? [input] : ['2 7 11 15\\n9', '3 2 4\\n6', '3 3\\n6'];
for (const text of cases) {
  const [numsLine, targetLine] = text.trim().split('\\n');
  const nums = numsLine.trim().split(/\\s+/).map(Number);
  console.log(twoSum(nums, Number(targetLine)).join(' '));
}
`,
    python: `import sys
from typing import List


def two_sum(nums: List[int], target: int) -> List[int]:
    """返回下标 [i, j]（i < j），使 nums[i] + nums[j] == target。
    Return indices [i, j] (i < j) such that nums[i] + nums[j] == target."""
    # TODO
    return [-1, -1]


# 输入：第一行 nums（空格分隔），第二行 target；输出 "i j"。没有输入时运行示例。
# Input: nums on line 1 (space-separated), target on line 2; prints "i j". Without input, runs the examples.
text = sys.stdin.read()
cases = [text] if text.strip() else ["2 7 11 15\\n9", "3 2 4\\n6", "3 3\\n6"]
for case in cases:
    nums_line, target_line = case.strip().split("\\n")[:2]
    print(*two_sum([int(x) for x in nums_line.split()], int(target_line)))
`,
    java: `import java.util.*;

public class Main {
    // 返回下标 [i, j]（i < j），使 nums[i] + nums[j] == target。
    // Return indices [i, j] (i < j) such that nums[i] + nums[j] == target.
    static int[] twoSum(int[] nums, int target) {
        // TODO
        return new int[] {-1, -1};
    }

    // 输入：第一行 nums（空格分隔），第二行 target；输出 "i j"。没有输入时运行示例。
    // Input: nums on line 1 (space-separated), target on line 2; prints "i j". Without input, runs the examples.
    public static void main(String[] args) throws Exception {
        String input = new String(System.in.readAllBytes());
        List<String> cases = input.isBlank() ? List.of("2 7 11 15\\n9", "3 2 4\\n6", "3 3\\n6") : List.of(input);
        for (String text : cases) {
            String[] lines = text.strip().split("\\n");
            int[] nums = Arrays.stream(lines[0].trim().split("\\\\s+")).mapToInt(Integer::parseInt).toArray();
            int[] answer = twoSum(nums, Integer.parseInt(lines[1].trim()));
            System.out.println(answer[0] + " " + answer[1]);
        }
    }
}
`,
    cpp: `#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using namespace std;

// 返回下标 [i, j]（i < j），使 nums[i] + nums[j] == target。
// Return indices [i, j] (i < j) such that nums[i] + nums[j] == target.
vector<int> twoSum(const vector<int>& nums, int target) {
    // TODO
    return {-1, -1};
}

// 输入：第一行 nums（空格分隔），第二行 target；输出 "i j"。
// Input: nums on line 1 (space-separated), target on line 2; prints "i j".
void solve(istream& in) {
    string line;
    getline(in, line);
    istringstream numbers(line);
    vector<int> nums;
    for (int x; numbers >> x;) nums.push_back(x);
    int target = 0;
    in >> target;
    vector<int> answer = twoSum(nums, target);
    cout << answer[0] << " " << answer[1] << endl;
}

int main() {
    string input((istreambuf_iterator<char>(cin)), istreambuf_iterator<char>());
    if (input.find_first_not_of(" \\t\\r\\n") == string::npos) {
        // 没有输入时运行示例。Without input, runs the examples.
        for (string example : {"2 7 11 15\\n9", "3 2 4\\n6", "3 3\\n6"}) {
            istringstream in(example);
            solve(in);
        }
        return 0;
    }
    istringstream in(input);
    solve(in);
    return 0;
}
`,
    go: `package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// 返回下标 [i, j]（i < j），使 nums[i] + nums[j] == target。
// Return indices [i, j] (i < j) such that nums[i] + nums[j] == target.
func twoSum(nums []int, target int) []int {
	// TODO
	return []int{-1, -1}
}

// 输入：第一行 nums（空格分隔），第二行 target；输出 "i j"。没有输入时运行示例。
// Input: nums on line 1 (space-separated), target on line 2; prints "i j". Without input, runs the examples.
func main() {
	data, _ := io.ReadAll(os.Stdin)
	cases := []string{string(data)}
	if strings.TrimSpace(string(data)) == "" {
		cases = []string{"2 7 11 15\\n9", "3 2 4\\n6", "3 3\\n6"}
	}
	for _, text := range cases {
		lines := strings.Split(strings.TrimSpace(text), "\\n")
		var nums []int
		for _, field := range strings.Fields(lines[0]) {
			n, _ := strconv.Atoi(field)
			nums = append(nums, n)
		}
		target, _ := strconv.Atoi(strings.TrimSpace(lines[1]))
		answer := twoSum(nums, target)
		fmt.Println(answer[0], answer[1])
	}
}
`,
  },
  testCases: [
    { name: '示例 1 · Example 1', input: '2 7 11 15\n9', expected: '0 1', hidden: false },
    { name: '示例 2 · Example 2', input: '3 2 4\n6', expected: '1 2', hidden: false },
    { name: '相同的值 · Equal values', input: '3 3\n6', expected: '0 1', hidden: false },
    { name: '负数 · Negative numbers', input: '-3 4 3 90\n0', expected: '0 2', hidden: true },
    // "Store, then look up" answers 0 0 here.
    { name: '同一个元素不能用两次 · One element never twice', input: '5 1 5\n10', expected: '0 2', hidden: true },
    // 10⁴ numbers, the pair at the very end: O(n²) takes about a second in Python, one pass a few milliseconds.
    { name: '答案在末尾的长数组 · A long array, answer at the end', input: `${Array.from({ length: 10_000 }, (_, i) => i + 1).join(' ')}\n19999`, expected: '9998 9999', hidden: true },
  ],
  guidance: `**考察点**：哈希表、复杂度分析、边界情况。适合作为热身题（15–20 分钟）。

**优秀的回答**
- 先给出 O(n²) 的暴力解并指出瓶颈，再改用哈希表一次遍历：对每个 \`x\` 先查 \`target - x\` 是否出现过，再把 \`x\` 和下标存入，O(n) 时间、O(n) 空间。
- 能解释“先查再存”为什么不会把同一个元素用两次，并主动测试 \`[3, 3]\`、负数、答案在末尾的情况。

**追问**
- 数组已经排序？（双指针，O(1) 额外空间）
- 返回所有不重复的数对？延伸到三数之和（排序 + 双指针，O(n²)）。
- 数据量大到放不进内存，或者是一个流？

**危险信号**
- 先存再查，导致 \`[3, 2, 4], 6\` 返回 \`[0, 0]\`。
- 排序后返回了排序后的下标。
- 说不清复杂度，或在 10⁵ 的规模下仍坚持 O(n²)。

---

**What it tests**: hash maps, complexity analysis, edge cases. A good warm-up (15–20 minutes).

**A strong answer**
- States the O(n²) brute force and its bottleneck, then moves to one pass with a hash map: for each \`x\`, look up \`target - x\` first, then store \`x\` with its index. O(n) time, O(n) space.
- Explains why "look up, then store" never uses one element twice, and tests \`[3, 3]\`, negative numbers and an answer at the end unprompted.

**Follow-ups**
- The array is sorted? (two pointers, O(1) extra space)
- Return all distinct pairs? Extend to 3-sum (sort + two pointers, O(n²)).
- The data does not fit in memory, or arrives as a stream?

**Red flags**
- Stores before looking up, so \`[3, 2, 4], 6\` returns \`[0, 0]\`.
- Sorts and returns the sorted positions.
- Cannot state the complexity, or keeps O(n²) for 10⁵ elements.
`,
};

const mergeIntervals: DemoQuestion = {
  title: '合并区间 · Merge Intervals',
  difficulty: 'medium',
  tags: ['sorting', 'intervals'],
  statement: `给定若干闭区间 \`intervals[i] = [start, end]\`（\`start ≤ end\`，输入**不保证有序**），合并所有重叠的区间，按起点升序返回合并后的区间。

- 端点相接也算重叠：\`[1, 4]\` 和 \`[4, 5]\` 合并为 \`[1, 5]\`。
- 一个区间可能完全包含另一个。

**示例**

\`\`\`
输入：[[1, 3], [2, 6], [8, 10], [15, 18]]
输出：[[1, 6], [8, 10], [15, 18]]

输入：[[1, 4], [4, 5]]
输出：[[1, 5]]

输入：[[5, 7], [1, 10], [2, 3]]
输出：[[1, 10]]
\`\`\`

**约束**：\`1 ≤ intervals.length ≤ 10⁵\`，\`0 ≤ start ≤ end ≤ 10⁹\`。

**测试用例的输入与输出**：标准输入每行一个区间 \`start end\`；程序按起点升序输出合并后的区间，每行一个 \`start end\`。初始代码已经读好输入，只需完成函数。

---

Given closed intervals \`intervals[i] = [start, end]\` (\`start ≤ end\`, input **not necessarily sorted**), merge all overlapping intervals and return the result sorted by start.

- Touching counts as overlapping: \`[1, 4]\` and \`[4, 5]\` merge into \`[1, 5]\`.
- One interval may contain another entirely.

**Examples**

\`\`\`
Input:  [[1, 3], [2, 6], [8, 10], [15, 18]]
Output: [[1, 6], [8, 10], [15, 18]]

Input:  [[1, 4], [4, 5]]
Output: [[1, 5]]

Input:  [[5, 7], [1, 10], [2, 3]]
Output: [[1, 10]]
\`\`\`

**Constraints**: \`1 ≤ intervals.length ≤ 10⁵\`, \`0 ≤ start ≤ end ≤ 10⁹\`.

**Test cases' input and output**: stdin holds one interval per line, \`start end\`; the program prints the merged intervals sorted by start, one \`start end\` per line. The starter code reads the input already: only the function is left to write.
`,
  starterCode: {
    javascript: `/**
 * 合并所有重叠的区间，按起点升序返回。
 * Merge all overlapping intervals; return them sorted by start.
 * @param {number[][]} intervals
 * @returns {number[][]}
 */
function merge(intervals) {
  // TODO
  return intervals;
}

// 输入：每行一个区间 "start end"；输出：合并后的区间，每行一个。没有输入时运行示例（以空行分隔）。
// Input: one interval per line, "start end"; prints the merged intervals, one per line. Without input, runs the
// examples (separated by a blank line).
// stdin 在浏览器中是全局变量，在服务器上由 Node 读入。stdin is a global in the browser; on the server Node reads it.
const input = typeof stdin === 'string' ? stdin : require('fs').readFileSync(0, 'utf8');
const cases = input.trim() ? [input] : ['1 3\\n2 6\\n8 10\\n15 18', '1 4\\n4 5', '5 7\\n1 10\\n2 3'];
cases.forEach((text, i) => {
  if (i > 0) console.log('');
  const intervals = text.trim().split('\\n').map((line) => line.trim().split(/\\s+/).map(Number));
  for (const [start, end] of merge(intervals)) console.log(\`\${start} \${end}\`);
});
`,
    typescript: `type Interval = [number, number];

// 合并所有重叠的区间，按起点升序返回。
// Merge all overlapping intervals; return them sorted by start.
function merge(intervals: Interval[]): Interval[] {
  // TODO
  return intervals;
}

// 输入：每行一个区间 "start end"；输出：合并后的区间，每行一个。没有输入时运行示例（以空行分隔）。
// Input: one interval per line, "start end"; prints the merged intervals, one per line. Without input, runs the
// examples (separated by a blank line).
// stdin 在浏览器中是全局变量，在服务器上由 Node 读入。stdin is a global in the browser; on the server Node reads it.
declare const stdin: string | undefined;
declare const require: (module: string) => { readFileSync(fd: number, encoding: string): string };
const input: string = typeof stdin === 'string' ? stdin : require('fs').readFileSync(0, 'utf8');
const cases = input.trim() ? [input] : ['1 3\\n2 6\\n8 10\\n15 18', '1 4\\n4 5', '5 7\\n1 10\\n2 3'];
cases.forEach((text, i) => {
  if (i > 0) console.log('');
  const intervals = text.trim().split('\\n').map((line) => line.trim().split(/\\s+/).map(Number) as Interval);
  for (const [start, end] of merge(intervals)) console.log(\`\${start} \${end}\`);
});
`,
    python: `import sys
from typing import List


def merge(intervals: List[List[int]]) -> List[List[int]]:
    """合并所有重叠的区间，按起点升序返回。
    Merge all overlapping intervals; return them sorted by start."""
    # TODO
    return intervals


# 输入：每行一个区间 "start end"；输出：合并后的区间，每行一个。没有输入时运行示例（以空行分隔）。
# Input: one interval per line, "start end"; prints the merged intervals, one per line. Without input, runs the
# examples (separated by a blank line).
text = sys.stdin.read()
cases = [text] if text.strip() else ["1 3\\n2 6\\n8 10\\n15 18", "1 4\\n4 5", "5 7\\n1 10\\n2 3"]
for i, case in enumerate(cases):
    if i > 0:
        print()
    intervals = [[int(x) for x in line.split()] for line in case.strip().split("\\n")]
    for start, end in merge(intervals):
        print(start, end)
`,
    java: `import java.util.*;

public class Main {
    // 合并所有重叠的区间，按起点升序返回。
    // Merge all overlapping intervals; return them sorted by start.
    static int[][] merge(int[][] intervals) {
        // TODO
        return intervals;
    }

    // 输入：每行一个区间 "start end"；输出：合并后的区间，每行一个。没有输入时运行示例（以空行分隔）。
    // Input: one interval per line, "start end"; prints the merged intervals, one per line. Without input, runs
    // the examples (separated by a blank line).
    public static void main(String[] args) throws Exception {
        String input = new String(System.in.readAllBytes());
        List<String> cases = input.isBlank() ? List.of("1 3\\n2 6\\n8 10\\n15 18", "1 4\\n4 5", "5 7\\n1 10\\n2 3") : List.of(input);
        for (int i = 0; i < cases.size(); i++) {
            if (i > 0) System.out.println();
            int[][] intervals = cases.get(i).strip().lines()
                .map(line -> Arrays.stream(line.trim().split("\\\\s+")).mapToInt(Integer::parseInt).toArray())
                .toArray(int[][]::new);
            for (int[] interval : merge(intervals)) System.out.println(interval[0] + " " + interval[1]);
        }
    }
}
`,
    cpp: `#include <algorithm>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

using namespace std;

// 合并所有重叠的区间，按起点升序返回。
// Merge all overlapping intervals; return them sorted by start.
vector<vector<int>> merge(vector<vector<int>> intervals) {
    // TODO
    return intervals;
}

// 输入：每行一个区间 "start end"；输出：合并后的区间，每行一个。
// Input: one interval per line, "start end"; prints the merged intervals, one per line.
void solve(istream& in) {
    vector<vector<int>> intervals;
    for (int start, end; in >> start >> end;) intervals.push_back({start, end});
    for (const vector<int>& interval : merge(intervals)) cout << interval[0] << " " << interval[1] << "\\n";
}

int main() {
    string input((istreambuf_iterator<char>(cin)), istreambuf_iterator<char>());
    if (input.find_first_not_of(" \\t\\r\\n") == string::npos) {
        // 没有输入时运行示例（以空行分隔）。Without input, runs the examples (separated by a blank line).
        bool first = true;
        for (string example : {"1 3\\n2 6\\n8 10\\n15 18", "1 4\\n4 5", "5 7\\n1 10\\n2 3"}) {
            if (!first) cout << "\\n";
            first = false;
            istringstream in(example);
            solve(in);
        }
        return 0;
    }
    istringstream in(input);
    solve(in);
    return 0;
}
`,
    go: `package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// 合并所有重叠的区间，按起点升序返回。
// Merge all overlapping intervals; return them sorted by start.
func merge(intervals [][]int) [][]int {
	// TODO
	return intervals
}

// 输入：每行一个区间 "start end"；输出：合并后的区间，每行一个。没有输入时运行示例（以空行分隔）。
// Input: one interval per line, "start end"; prints the merged intervals, one per line. Without input, runs the
// examples (separated by a blank line).
func main() {
	data, _ := io.ReadAll(os.Stdin)
	cases := []string{string(data)}
	if strings.TrimSpace(string(data)) == "" {
		cases = []string{"1 3\\n2 6\\n8 10\\n15 18", "1 4\\n4 5", "5 7\\n1 10\\n2 3"}
	}
	for i, text := range cases {
		if i > 0 {
			fmt.Println()
		}
		var intervals [][]int
		for _, line := range strings.Split(strings.TrimSpace(text), "\\n") {
			fields := strings.Fields(line)
			start, _ := strconv.Atoi(fields[0])
			end, _ := strconv.Atoi(fields[1])
			intervals = append(intervals, []int{start, end})
		}
		for _, interval := range merge(intervals) {
			fmt.Println(interval[0], interval[1])
		}
	}
}
`,
  },
  testCases: [
    { name: '示例 1 · Example 1', input: '1 3\n2 6\n8 10\n15 18', expected: '1 6\n8 10\n15 18', hidden: false },
    { name: '端点相接 · Touching ends', input: '1 4\n4 5', expected: '1 5', hidden: false },
    { name: '完全包含 · Containment', input: '5 7\n1 10\n2 3', expected: '1 10', hidden: false },
    { name: '只有一个区间 · A single interval', input: '4 7', expected: '4 7', hidden: true },
    { name: '无序且连环重叠 · Unsorted, chained overlaps', input: '8 9\n1 2\n3 5\n2 3\n10 12\n9 10', expected: '1 5\n8 12', hidden: true },
    // "end = cur.end" instead of the maximum loses [1, 10] after [2, 3].
    { name: '包含之后再重叠 · Containment, then overlap', input: '1 10\n2 3\n4 5\n9 12', expected: '1 12', hidden: true },
    { name: '相同的区间 · Identical intervals', input: '2 2\n2 2\n0 0', expected: '0 0\n2 2', hidden: true },
  ],
  guidance: `**考察点**：排序、线性扫描、边界情况的严谨程度。约 25 分钟。

**优秀的回答**
- 按起点排序（O(n log n)），然后线性扫描：当前区间的起点 ≤ 上一个合并区间的终点时，把终点更新为 \`max(两者终点)\`，否则开始新区间。
- 自己说出并测试这些情况：输入无序、端点相接、完全包含（\`[1, 10]\` 包含 \`[2, 3]\`）、只有一个区间。
- 说明是否修改了输入数组，以及空间复杂度。

**追问**
- 向一个已排序、互不重叠的区间列表插入一个新区间（O(n)，无需重新排序）。
- 会议室问题：同时最多有几场会议？（按起点排序 + 最小堆，或端点扫描）
- 区间数多到放不进内存？（外部排序后流式合并）

**危险信号**
- 不排序，只比较相邻区间。
- 合并时写成 \`end = cur.end\` 而不是取最大值，包含关系的用例会出错。
- 把相接（\`[1, 4]\`、\`[4, 5]\`）当成不重叠，或没有问清楚就自行假设。

---

**What it tests**: sorting, a linear scan, and rigour with edge cases. About 25 minutes.

**A strong answer**
- Sorts by start (O(n log n)), then scans once: when the current start is ≤ the last merged end, extend that end to \`max(both ends)\`, otherwise start a new interval.
- Names and tests the cases unprompted: unsorted input, touching ends, full containment (\`[1, 10]\` contains \`[2, 3]\`), a single interval.
- Says whether the input array is modified, and the space used.

**Follow-ups**
- Insert one new interval into a sorted list of disjoint intervals (O(n), no re-sort).
- Meeting rooms: how many meetings overlap at most? (sort by start + min-heap, or a sweep over the endpoints)
- Too many intervals to fit in memory? (external sort, then merge as a stream)

**Red flags**
- Compares only neighbours without sorting.
- Merges with \`end = cur.end\` instead of the maximum, so containment breaks.
- Treats touching intervals (\`[1, 4]\`, \`[4, 5]\`) as disjoint, or assumes either way without asking.
`,
};

const lruCache: DemoQuestion = {
  title: 'LRU 缓存 · LRU Cache',
  difficulty: 'medium',
  tags: ['design', 'hash-map', 'linked-list'],
  statement: `实现一个容量固定的 **LRU（最近最少使用）缓存** \`LRUCache(capacity)\`：

- \`get(key)\`：键存在时返回它的值，并把它标记为最近使用；否则返回 \`-1\`。
- \`put(key, value)\`：写入或更新键值。写入后如果超出容量，淘汰**最久没有被使用**的键。

\`get\` 和 \`put\` 都要求平均 **O(1)** 时间。请不要直接使用语言自带的 LRU 结构（例如 Java 的 \`LinkedHashMap\` 访问顺序模式）——可以先提到它。

**示例**（容量为 2）

\`\`\`
put(1, 1); put(2, 2)
get(1)    → 1
put(3, 3)           // 淘汰键 2
get(2)    → -1
put(4, 4)           // 淘汰键 1
get(1)    → -1
get(3)    → 3
get(4)    → 4
\`\`\`

---

Implement a fixed-capacity **LRU (least recently used) cache** \`LRUCache(capacity)\`:

- \`get(key)\`: return the key's value and mark it as most recently used, or \`-1\` if it is absent.
- \`put(key, value)\`: insert or update the key. If that exceeds the capacity, evict the key **used least recently**.

Both \`get\` and \`put\` must run in **O(1)** average time. Do not use a built-in LRU structure (such as Java's \`LinkedHashMap\` in access order) — mentioning it first is welcome.

**Example** (capacity 2)

\`\`\`
put(1, 1); put(2, 2)
get(1)    → 1
put(3, 3)           // evicts key 2
get(2)    → -1
put(4, 4)           // evicts key 1
get(1)    → -1
get(3)    → 3
get(4)    → 4
\`\`\`
`,
  starterCode: {
    javascript: `class LRUCache {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    // TODO
  }

  /** 存在则返回值并标记为最近使用，否则返回 -1。Return the value (marking it recently used), or -1. */
  get(key) {
    // TODO
    return -1;
  }

  /** 写入或更新；超出容量时淘汰最久未使用的键。Insert or update; evict the least recently used key when over capacity. */
  put(key, value) {
    // TODO
  }
}

const cache = new LRUCache(2);
cache.put(1, 1);
cache.put(2, 2);
const seen = [cache.get(1)]; // 1
cache.put(3, 3); // evicts 2
seen.push(cache.get(2)); // -1
cache.put(4, 4); // evicts 1
seen.push(cache.get(1), cache.get(3), cache.get(4)); // -1 3 4
console.log(seen.join(' ')); // 1 -1 -1 3 4
`,
    typescript: `class LRUCache {
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    // TODO
  }

  /** 存在则返回值并标记为最近使用，否则返回 -1。Return the value (marking it recently used), or -1. */
  get(key: number): number {
    // TODO
    return -1;
  }

  /** 写入或更新；超出容量时淘汰最久未使用的键。Insert or update; evict the least recently used key when over capacity. */
  put(key: number, value: number): void {
    // TODO
  }
}

const cache = new LRUCache(2);
cache.put(1, 1);
cache.put(2, 2);
const seen: number[] = [cache.get(1)]; // 1
cache.put(3, 3); // evicts 2
seen.push(cache.get(2)); // -1
cache.put(4, 4); // evicts 1
seen.push(cache.get(1), cache.get(3), cache.get(4)); // -1 3 4
console.log(seen.join(' ')); // 1 -1 -1 3 4
`,
    python: `class LRUCache:
    def __init__(self, capacity: int):
        self.capacity = capacity
        # TODO

    def get(self, key: int) -> int:
        """存在则返回值并标记为最近使用，否则返回 -1。Return the value (marking it recently used), or -1."""
        # TODO
        return -1

    def put(self, key: int, value: int) -> None:
        """写入或更新；超出容量时淘汰最久未使用的键。Insert or update; evict the least recently used key when over capacity."""
        # TODO
        pass


cache = LRUCache(2)
cache.put(1, 1)
cache.put(2, 2)
seen = [cache.get(1)]  # 1
cache.put(3, 3)  # evicts 2
seen.append(cache.get(2))  # -1
cache.put(4, 4)  # evicts 1
seen += [cache.get(1), cache.get(3), cache.get(4)]  # -1 3 4
print(" ".join(map(str, seen)))  # 1 -1 -1 3 4
`,
    java: `import java.util.*;

public class Main {
    static class LRUCache {
        private final int capacity;

        LRUCache(int capacity) {
            this.capacity = capacity;
            // TODO
        }

        // 存在则返回值并标记为最近使用，否则返回 -1。Return the value (marking it recently used), or -1.
        int get(int key) {
            // TODO
            return -1;
        }

        // 写入或更新；超出容量时淘汰最久未使用的键。Insert or update; evict the least recently used key when over capacity.
        void put(int key, int value) {
            // TODO
        }
    }

    public static void main(String[] args) {
        LRUCache cache = new LRUCache(2);
        cache.put(1, 1);
        cache.put(2, 2);
        List<Integer> seen = new ArrayList<>();
        seen.add(cache.get(1)); // 1
        cache.put(3, 3); // evicts 2
        seen.add(cache.get(2)); // -1
        cache.put(4, 4); // evicts 1
        seen.add(cache.get(1)); // -1
        seen.add(cache.get(3)); // 3
        seen.add(cache.get(4)); // 4
        System.out.println(seen); // [1, -1, -1, 3, 4]
    }
}
`,
    cpp: `#include <iostream>
#include <list>
#include <unordered_map>

using namespace std;

class LRUCache {
public:
    explicit LRUCache(int capacity) : capacity_(capacity) {
        // TODO
    }

    // 存在则返回值并标记为最近使用，否则返回 -1。Return the value (marking it recently used), or -1.
    int get(int key) {
        // TODO
        return -1;
    }

    // 写入或更新；超出容量时淘汰最久未使用的键。Insert or update; evict the least recently used key when over capacity.
    void put(int key, int value) {
        // TODO
    }

private:
    int capacity_;
};

int main() {
    LRUCache cache(2);
    cache.put(1, 1);
    cache.put(2, 2);
    cout << cache.get(1) << " "; // 1
    cache.put(3, 3);             // evicts 2
    cout << cache.get(2) << " "; // -1
    cache.put(4, 4);             // evicts 1
    cout << cache.get(1) << " "; // -1
    cout << cache.get(3) << " "; // 3
    cout << cache.get(4) << endl; // 4
    return 0;
}
`,
    go: `package main

import "fmt"

type LRUCache struct {
	capacity int
	// TODO
}

func Constructor(capacity int) LRUCache {
	return LRUCache{capacity: capacity}
}

// 存在则返回值并标记为最近使用，否则返回 -1。Return the value (marking it recently used), or -1.
func (c *LRUCache) Get(key int) int {
	// TODO
	return -1
}

// 写入或更新；超出容量时淘汰最久未使用的键。Insert or update; evict the least recently used key when over capacity.
func (c *LRUCache) Put(key, value int) {
	// TODO
}

func main() {
	cache := Constructor(2)
	cache.Put(1, 1)
	cache.Put(2, 2)
	seen := []int{cache.Get(1)} // 1
	cache.Put(3, 3)             // evicts 2
	seen = append(seen, cache.Get(2))
	cache.Put(4, 4) // evicts 1
	seen = append(seen, cache.Get(1), cache.Get(3), cache.Get(4))
	fmt.Println(seen) // [1 -1 -1 3 4]
}
`,
  },
  guidance: `**考察点**：数据结构组合（哈希表 + 双向链表）、指针操作的细致程度、接口设计。约 35 分钟。

**优秀的回答**
- 哈希表存 \`key → 链表节点\`，双向链表按使用时间排序；\`get\` 把节点移到表头，\`put\` 插入表头、超出容量时删除表尾并同步删除哈希表中的键。
- 用哨兵（dummy）头尾节点消除空表判断；更新已存在的键时不会重复插入，也不会误淘汰。
- 能说清楚为什么单向链表不够（删除需要前驱）。
- 在 JavaScript / Python 里提到 \`Map\` 的插入顺序或 \`OrderedDict\`，并能在要求下手写链表版本。

**追问**
- 多线程访问：锁的粒度？读多写少时怎么办？（分段、读写锁、近似 LRU 如 CLOCK）
- 加上过期时间（TTL）；或改为 LFU（最不经常使用）。
- 缓存放在多台机器上：一致性哈希、热点键。

**危险信号**
- \`get\` 没有更新使用顺序。
- 用数组或列表查找/删除，变成 O(n)，却声称是 O(1)。
- \`put\` 已存在的键时先淘汰别的键，或容量为 1 时出错。

---

**What it tests**: combining structures (a hash map plus a doubly linked list), care with pointers, API design. About 35 minutes.

**A strong answer**
- A hash map of \`key → list node\` and a doubly linked list ordered by use: \`get\` moves the node to the front, \`put\` inserts at the front and, over capacity, unlinks the tail and deletes its key from the map.
- Sentinel head and tail nodes remove the empty-list cases; updating an existing key neither duplicates it nor evicts another key.
- Can say why a singly linked list is not enough (removal needs the predecessor).
- In JavaScript or Python mentions \`Map\` insertion order or \`OrderedDict\`, and writes the linked-list version when asked.

**Follow-ups**
- Several threads: lock granularity? Read-heavy load? (striping, read-write locks, approximate LRU such as CLOCK)
- Add expiry (TTL); or switch to LFU (least frequently used).
- A cache spread over several machines: consistent hashing, hot keys.

**Red flags**
- \`get\` does not update the order of use.
- Finds or removes in an array or list — O(n) — while claiming O(1).
- \`put\` of an existing key evicts another key first, or capacity 1 breaks.
`,
};

const rateLimiter: DemoQuestion = {
  title: '限流器 · Rate Limiter',
  difficulty: 'hard',
  tags: ['design', 'system-design', 'concurrency'],
  statement: `为 API 网关实现一个限流器 \`RateLimiter(limit, windowMs)\`：**每个客户端**在任意长度为 \`windowMs\` 毫秒的滑动窗口内最多放行 \`limit\` 次请求。

- \`allow(clientId, nowMs)\` 返回 \`true\`（放行）或 \`false\`（拒绝）。时间由调用方传入，且不会倒退。
- 在时刻 \`t\` 放行的请求，对 \`nowMs < t + windowMs\` 的调用都计入窗口。
- 被拒绝的请求**不计数**。不同客户端互不影响。

**示例**（\`limit = 3\`，\`windowMs = 1000\`，客户端 \`a\`）

\`\`\`
时刻     0     100   200   300    1000  1050   1100
结果     true  true  true  false  true  false  true
\`\`\`

写完代码后我们会讨论：内存占用、客户端数量达到百万级、以及部署在多台服务器上时怎么办。

---

Implement a rate limiter for an API gateway, \`RateLimiter(limit, windowMs)\`: **each client** gets at most \`limit\` requests in any sliding window of \`windowMs\` milliseconds.

- \`allow(clientId, nowMs)\` returns \`true\` (let through) or \`false\` (refuse). The caller passes the time, and it never goes backwards.
- A request let through at time \`t\` counts for every call with \`nowMs < t + windowMs\`.
- Refused requests **do not count**. Clients do not affect each other.

**Example** (\`limit = 3\`, \`windowMs = 1000\`, client \`a\`)

\`\`\`
time     0     100   200   300    1000  1050   1100
result   true  true  true  false  true  false  true
\`\`\`

Once the code works we will discuss memory use, a million clients, and running on several servers.
`,
  starterCode: {
    javascript: `/**
 * 每个客户端在任意 windowMs 毫秒内最多放行 limit 次；被拒绝的请求不计数。
 * At most \`limit\` requests per client in any window of \`windowMs\` ms; refused requests do not count.
 */
class RateLimiter {
  constructor(limit, windowMs) {
    this.limit = limit;
    this.windowMs = windowMs;
    // TODO
  }

  /**
   * @param {string} clientId
   * @param {number} nowMs
   * @returns {boolean}
   */
  allow(clientId, nowMs) {
    // TODO
    return true;
  }
}

const limiter = new RateLimiter(3, 1000);
const results = [0, 100, 200, 300, 1000, 1050, 1100].map((t) => limiter.allow('a', t));
console.log(results.join(' ')); // true true true false true false true
console.log(limiter.allow('b', 1100)); // true
`,
    typescript: `// 每个客户端在任意 windowMs 毫秒内最多放行 limit 次；被拒绝的请求不计数。
// At most \`limit\` requests per client in any window of \`windowMs\` ms; refused requests do not count.
class RateLimiter {
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
    // TODO
  }

  allow(clientId: string, nowMs: number): boolean {
    // TODO
    return true;
  }
}

const limiter = new RateLimiter(3, 1000);
const results = [0, 100, 200, 300, 1000, 1050, 1100].map((t) => limiter.allow('a', t));
console.log(results.join(' ')); // true true true false true false true
console.log(limiter.allow('b', 1100)); // true
`,
    python: `class RateLimiter:
    """每个客户端在任意 window_ms 毫秒内最多放行 limit 次；被拒绝的请求不计数。
    At most \`limit\` requests per client in any window of \`window_ms\` ms; refused requests do not count."""

    def __init__(self, limit: int, window_ms: int):
        self.limit = limit
        self.window_ms = window_ms
        # TODO

    def allow(self, client_id: str, now_ms: int) -> bool:
        # TODO
        return True


limiter = RateLimiter(3, 1000)
results = [limiter.allow("a", t) for t in [0, 100, 200, 300, 1000, 1050, 1100]]
print(" ".join(str(r).lower() for r in results))  # true true true false true false true
print(str(limiter.allow("b", 1100)).lower())  # true
`,
    java: `import java.util.*;

public class Main {
    // 每个客户端在任意 windowMs 毫秒内最多放行 limit 次；被拒绝的请求不计数。
    // At most \`limit\` requests per client in any window of \`windowMs\` ms; refused requests do not count.
    static class RateLimiter {
        private final int limit;
        private final long windowMs;

        RateLimiter(int limit, long windowMs) {
            this.limit = limit;
            this.windowMs = windowMs;
            // TODO
        }

        boolean allow(String clientId, long nowMs) {
            // TODO
            return true;
        }
    }

    public static void main(String[] args) {
        RateLimiter limiter = new RateLimiter(3, 1000);
        StringJoiner results = new StringJoiner(" ");
        for (long t : new long[] {0, 100, 200, 300, 1000, 1050, 1100}) {
            results.add(String.valueOf(limiter.allow("a", t)));
        }
        System.out.println(results); // true true true false true false true
        System.out.println(limiter.allow("b", 1100)); // true
    }
}
`,
    cpp: `#include <deque>
#include <iostream>
#include <string>
#include <unordered_map>

using namespace std;

// 每个客户端在任意 windowMs 毫秒内最多放行 limit 次；被拒绝的请求不计数。
// At most \`limit\` requests per client in any window of \`windowMs\` ms; refused requests do not count.
class RateLimiter {
public:
    RateLimiter(int limit, long long windowMs) : limit_(limit), windowMs_(windowMs) {
        // TODO
    }

    bool allow(const string& clientId, long long nowMs) {
        // TODO
        return true;
    }

private:
    int limit_;
    long long windowMs_;
};

int main() {
    RateLimiter limiter(3, 1000);
    cout << boolalpha;
    for (long long t : {0, 100, 200, 300, 1000, 1050, 1100}) {
        cout << limiter.allow("a", t) << " ";
    }
    cout << endl;                             // true true true false true false true
    cout << limiter.allow("b", 1100) << endl; // true
    return 0;
}
`,
    go: `package main

import "fmt"

// 每个客户端在任意 windowMs 毫秒内最多放行 limit 次；被拒绝的请求不计数。
// At most limit requests per client in any window of windowMs ms; refused requests do not count.
type RateLimiter struct {
	limit    int
	windowMs int64
	// TODO
}

func NewRateLimiter(limit int, windowMs int64) *RateLimiter {
	return &RateLimiter{limit: limit, windowMs: windowMs}
}

func (r *RateLimiter) Allow(clientID string, nowMs int64) bool {
	// TODO
	return true
}

func main() {
	limiter := NewRateLimiter(3, 1000)
	var results []bool
	for _, t := range []int64{0, 100, 200, 300, 1000, 1050, 1100} {
		results = append(results, limiter.Allow("a", t))
	}
	fmt.Println(results)                   // [true true true false true false true]
	fmt.Println(limiter.Allow("b", 1100)) // true
}
`,
  },
  guidance: `**考察点**：把模糊需求变成精确定义、算法取舍、从单机推到分布式的能力。适合资深候选人，约 45 分钟（编码 20 分钟，讨论 25 分钟）。

**优秀的回答**
- 先问清楚：按什么维度限流、窗口的精确定义、被拒绝的请求是否计数、要精确还是可以近似。
- 编码：每个客户端一个队列保存放行时刻（滑动日志），调用时先弹出 \`≤ nowMs - windowMs\` 的时刻，再比较数量；能解释每个客户端 O(limit) 的内存。
- 比较其他方案：固定窗口计数（简单，但窗口边界可能放行 2 倍）、滑动窗口计数（近似、O(1) 内存）、令牌桶（允许突发 + 平均速率，业界最常用）。
- 时间由参数传入，便于测试——能说出为什么不在函数里直接读系统时钟。

**追问**
- 百万级客户端：空闲客户端的数据如何清理？
- 多台服务器：Redis 中用 Lua 脚本原子地实现令牌桶或滑动窗口；Redis 不可用时放行还是拒绝？时钟不同步怎么办？
- 并发：同一客户端的请求同时到达，如何避免超发？
- 如何告诉客户端什么时候重试（\`Retry-After\`，HTTP 429）？

**危险信号**
- 被拒绝的请求也记入窗口，导致持续请求的客户端永远被拒绝。
- 内存无限增长（从不清理旧时刻或空闲客户端）。
- 讨论分布式时忽略竞争条件，或提议每个请求都加全局锁。

---

**What it tests**: turning a vague requirement into a precise definition, algorithmic trade-offs, and going from one machine to many. For senior candidates, about 45 minutes (20 coding, 25 discussion).

**A strong answer**
- Asks first: limit by what, the exact window definition, whether refused requests count, exact or approximate.
- Code: a queue of let-through times per client (sliding log); each call first drops times \`≤ nowMs - windowMs\`, then compares the count. Explains the O(limit) memory per client.
- Compares the alternatives: fixed-window counter (simple, but lets 2× through around a boundary), sliding-window counter (approximate, O(1) memory), token bucket (bursts plus an average rate; the industry default).
- Time comes in as a parameter so it can be tested — and can say why not to read the system clock inside.

**Follow-ups**
- A million clients: how is an idle client's state cleaned up?
- Several servers: a token bucket or sliding window done atomically in Redis with a Lua script; when Redis is down, let through or refuse? Clock skew?
- Concurrency: one client's requests arrive at the same moment — how to avoid letting too many through?
- Telling clients when to retry (\`Retry-After\`, HTTP 429).

**Red flags**
- Counts refused requests, so a client that keeps calling is refused forever.
- Memory grows without bound (old times or idle clients never dropped).
- Ignores races in the distributed design, or proposes a global lock per request.
`,
};

const topEarners: DemoQuestion = {
  title: 'SQL：各部门薪资最高的员工 · SQL: Top Earners per Department',
  difficulty: 'medium',
  tags: ['sql', 'aggregation', 'window-functions'],
  statement: `表 \`departments(id, name)\` 和 \`employees(id, name, department_id, salary)\` 已在初始代码中建好并填入数据。

写一条查询，列出**每个部门薪资最高的员工**：

- 输出列：\`department\`（部门名）、\`employee\`（员工名）、\`salary\`。
- 最高薪资并列时，并列的员工**都要列出**。
- 没有员工的部门不出现。
- 按部门名、再按员工名升序排列。

**期望结果**

| department | employee | salary |
|---|---|---|
| Design | Zhao Min | 33000 |
| Engineering | Wang Fang | 42000 |
| Engineering | Zhang Wei | 42000 |
| Sales | Chen Jing | 30000 |

查询需要在 SQLite 和 PostgreSQL 上都能运行。

---

The tables \`departments(id, name)\` and \`employees(id, name, department_id, salary)\` are created and filled by the starter code.

Write one query listing **the top earner(s) of each department**:

- Columns: \`department\` (its name), \`employee\` (the employee's name), \`salary\`.
- When several employees share the highest salary, list **all of them**.
- Departments without employees do not appear.
- Order by department name, then employee name.

**Expected result**

| department | employee | salary |
|---|---|---|
| Design | Zhao Min | 33000 |
| Engineering | Wang Fang | 42000 |
| Engineering | Zhang Wei | 42000 |
| Sales | Chen Jing | 30000 |

The query must run on both SQLite and PostgreSQL.
`,
  starterCode: {
    sql: `CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE employees (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  department_id INTEGER NOT NULL REFERENCES departments (id),
  salary INTEGER NOT NULL
);

INSERT INTO departments (id, name) VALUES
  (1, 'Engineering'),
  (2, 'Sales'),
  (3, 'Design'),
  (4, 'Legal');

INSERT INTO employees (id, name, department_id, salary) VALUES
  (1, 'Wang Fang', 1, 42000),
  (2, 'Li Lei', 1, 38000),
  (3, 'Zhang Wei', 1, 42000),
  (4, 'Chen Jing', 2, 30000),
  (5, 'Liu Yang', 2, 27000),
  (6, 'Zhao Min', 3, 33000);

-- 每个部门薪资最高的员工（并列都列出），按部门名、员工名排序。
-- The top earner(s) of each department (ties included), ordered by department name, then employee name.
SELECT d.name AS department, e.name AS employee, e.salary
FROM employees e
JOIN departments d ON d.id = e.department_id
-- TODO: keep only the highest salary of each department
ORDER BY d.name, e.name;
`,
  },
  guidance: `**考察点**：分组与关联、并列处理、SQL 方言差异。约 20 分钟。

**优秀的回答**（任一即可，能比较两种更好）
- 关联子查询：\`WHERE e.salary = (SELECT MAX(x.salary) FROM employees x WHERE x.department_id = e.department_id)\`。
- 先按部门求 \`MAX(salary)\` 再 \`JOIN\` 回员工表。
- 窗口函数：\`RANK() OVER (PARTITION BY e.department_id ORDER BY e.salary DESC)\` 取排名为 1 的行（SQLite 3.25+ 与 PostgreSQL 都支持）。
- 主动验证并列（Engineering 两人）和没有员工的部门（Legal）。

**追问**
- 改为“每个部门薪资第二高”：\`DENSE_RANK\` 与 \`RANK\` 的区别？只有一种薪资的部门怎么办？
- 没有员工的部门也要出现（\`LEFT JOIN\`，员工列为 \`NULL\`）。
- 数据量很大时需要什么索引？（\`employees(department_id, salary)\`）

**危险信号**
- \`GROUP BY d.name\` 同时选择未聚合的 \`e.name\`：SQLite 会“随便”返回一行（丢掉并列），PostgreSQL 直接报错——能否解释这个差异是很好的区分点。
- 用全局 \`ORDER BY salary DESC LIMIT 1\`。
- 用 \`ROW_NUMBER\` 导致并列只剩一人，却没有意识到。

---

**What it tests**: grouping and joining, ties, SQL dialect differences. About 20 minutes.

**A strong answer** (any one of these; comparing two is better)
- A correlated subquery: \`WHERE e.salary = (SELECT MAX(x.salary) FROM employees x WHERE x.department_id = e.department_id)\`.
- \`MAX(salary)\` per department first, then \`JOIN\` back to the employees.
- A window function: \`RANK() OVER (PARTITION BY e.department_id ORDER BY e.salary DESC)\`, keeping rank 1 (SQLite 3.25+ and PostgreSQL both have it).
- Checks the tie (two in Engineering) and the empty department (Legal) unprompted.

**Follow-ups**
- "The second highest salary per department": \`DENSE_RANK\` versus \`RANK\`? A department with one salary only?
- Departments without employees must appear too (\`LEFT JOIN\`, employee columns \`NULL\`).
- What index helps at scale? (\`employees(department_id, salary)\`)

**Red flags**
- \`GROUP BY d.name\` while selecting a bare \`e.name\`: SQLite quietly returns one row per group (losing the tie), PostgreSQL refuses the query — explaining that difference is a good sign.
- A global \`ORDER BY salary DESC LIMIT 1\`.
- \`ROW_NUMBER\`, losing one of the tied employees without noticing.
`,
};

export const DEMO_QUESTIONS: readonly DemoQuestion[] = [twoSum, mergeIntervals, lruCache, rateLimiter, topEarners];

/**
 * Fills an empty question bank with the demo set; a bank that holds any question (archived ones too) is left
 * alone, so restarts, or a team that archived the demo questions, never get them back. Two processes starting
 * together take turns on an advisory lock. Returns how many questions it added.
 */
export async function seedDemoQuestions(db: Db, clock: Clock): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('pairview.seed_demo_questions'))`.execute(tx);
    const any = await tx.selectFrom('questions').select('id').limit(1).executeTakeFirst();
    if (any) return 0;
    for (const question of DEMO_QUESTIONS) {
      await createQuestion({ db: tx, clock }, null, {
        ...question,
        starterCode: { ...question.starterCode } as Record<string, string>,
        testCases: [...(question.testCases ?? [])],
      });
    }
    return DEMO_QUESTIONS.length;
  });
}
