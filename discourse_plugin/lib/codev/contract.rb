# frozen_string_literal: true

require "json"

module Codev
  # Validates documents against contract/codev.schema.json, the one description of what the service
  # and the plugin exchange. It implements the part of JSON Schema 2020-12 that file uses (a test
  # checks that it agrees with a full validator on every example), so the plugin needs no gem.
  module Contract
    SCHEMA_PATH = File.expand_path("../../contract/codev.schema.json", __dir__)
    VERSION = "1"

    class Invalid < StandardError
      attr_reader :errors

      def initialize(errors)
        @errors = errors
        super(errors.join("; "))
      end
    end

    def self.schema
      @schema ||= JSON.parse(File.read(SCHEMA_PATH))
    end

    # The errors of `document` against $defs/`name` (the whole schema when name is nil), as
    # "pointer: message" strings; empty when it is valid.
    def self.errors(document, name = nil)
      root = schema
      node = name ? root.fetch("$defs").fetch(name) : root
      Validator.new(root).errors(node, document, "")
    end

    # A topic state is a need or an introduction: checking the shape its kind names gives errors a
    # person can act on, where the schema's oneOf would only say that neither matched.
    def self.topic_state_errors(document)
      kind = document.is_a?(Hash) ? document["kind"] : nil
      return errors(document, "need_state") if kind == "need"
      return errors(document, "introduction") if kind == "introduction"
      ["/kind: must be need or introduction"]
    end

    def self.parse!(raw, name = nil)
      document = JSON.parse(raw.to_s)
      found = name == "topic_state" ? topic_state_errors(document) : errors(document, name)
      raise Invalid, found if found.any?
      document
    rescue JSON::ParserError => e
      raise Invalid, ["body: not JSON (#{e.message.lines.first.strip})"]
    end

    # The keywords of the subset, each a small check.
    class Validator
      TYPES = {
        "string" => ->(v) { v.is_a?(String) },
        "integer" => ->(v) { v.is_a?(Integer) },
        "number" => ->(v) { v.is_a?(Numeric) },
        "boolean" => ->(v) { v == true || v == false },
        "object" => ->(v) { v.is_a?(Hash) },
        "array" => ->(v) { v.is_a?(Array) },
        "null" => ->(v) { v.nil? },
      }.freeze

      def initialize(root)
        @root = root
      end

      def errors(node, value, path)
        node = resolve(node["$ref"]) if node.key?("$ref")
        found = []
        found.concat(check_value(node, value, path))
        return found if found.any?
        found.concat(check_one_of(node, value, path)) if node.key?("oneOf")
        found.concat(check_string(node, value, path)) if value.is_a?(String)
        found.concat(check_integer(node, value, path)) if value.is_a?(Integer)
        found.concat(check_object(node, value, path)) if value.is_a?(Hash)
        found.concat(check_array(node, value, path)) if value.is_a?(Array)
        found
      end

      private

      def resolve(ref)
        raise ArgumentError, "only local references: #{ref}" if !ref.start_with?("#/")
        ref.delete_prefix("#/").split("/").reduce(@root) { |node, key| node.fetch(key) }
      end

      def check_value(node, value, path)
        if node.key?("const") && node["const"] != value
          return ["#{path}: must be #{node["const"].to_json}"]
        end
        if node.key?("enum") && !node["enum"].include?(value)
          return ["#{path}: must be one of #{node["enum"].join(", ")}"]
        end
        types = Array(node["type"])
        if types.any? && types.none? { |type| TYPES.fetch(type).call(value) }
          return ["#{path}: must be of type #{types.join(" or ")}"]
        end
        []
      end

      def check_one_of(node, value, path)
        passing = node["oneOf"].count { |option| errors(option, value, path).empty? }
        return [] if passing == 1
        ["#{path}: must match exactly one of #{node["oneOf"].size} shapes (matches #{passing})"]
      end

      def check_string(node, value, path)
        found = []
        length = value.length
        found << "#{path}: shorter than #{node["minLength"]}" if length < node.fetch("minLength", 0)
        if node.key?("maxLength") && length > node["maxLength"]
          found << "#{path}: longer than #{node["maxLength"]}"
        end
        if node.key?("pattern") && !ruby_pattern(node["pattern"]).match?(value)
          found << "#{path}: does not match #{node["pattern"]}"
        end
        found
      end

      def ruby_pattern(pattern)
        Regexp.new(pattern.sub(/\A\^/, "\\A").sub(/\$\z/, "\\z"))
      end

      def check_integer(node, value, path)
        found = []
        found << "#{path}: less than #{node["minimum"]}" if node.key?("minimum") && value < node["minimum"]
        found << "#{path}: more than #{node["maximum"]}" if node.key?("maximum") && value > node["maximum"]
        found
      end

      def check_object(node, value, path)
        found = []
        properties = node.fetch("properties", {})
        node.fetch("required", []).each do |key|
          found << "#{path}/#{key}: is required" if !value.key?(key)
        end
        if value.size < node.fetch("minProperties", 0)
          found << "#{path}: needs at least #{node["minProperties"]} keys"
        end
        node.fetch("dependentRequired", {}).each do |key, needed|
          next if !value.key?(key)
          needed.each { |other| found << "#{path}/#{other}: is required with #{key}" if !value.key?(other) }
        end
        value.each do |key, item|
          if properties.key?(key)
            found.concat(errors(properties[key], item, "#{path}/#{key}"))
          elsif node["additionalProperties"] == false
            found << "#{path}/#{key}: is not allowed"
          elsif node["additionalProperties"].is_a?(Hash)
            found.concat(errors(node["additionalProperties"], item, "#{path}/#{key}"))
          end
        end
        found
      end

      def check_array(node, value, path)
        found = []
        if node.key?("maxItems") && value.size > node["maxItems"]
          found << "#{path}: more than #{node["maxItems"]} items"
        end
        if node.key?("items")
          value.each_with_index { |item, i| found.concat(errors(node["items"], item, "#{path}/#{i}")) }
        end
        found
      end
    end
  end
end
